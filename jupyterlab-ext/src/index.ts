import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { CommandIDs } from './commandIds.js';
import { addConnectionCommands } from './commands/connectionCommands.js';
import { ConnectionModel } from './model/connectionModel.js';
import { DEFAULT_SERVER_URL, readServerUrl } from './settings.js';
import { IConnectionModel, PLUGIN_ID, TRANSLATION_DOMAIN } from './tokens.js';

/**
 * Wiring only. Nothing here waits on the network: the model connects when `aiplat:connect` runs,
 * and the settings are applied whenever they arrive.
 */
const plugin: JupyterFrontEndPlugin<IConnectionModel> = {
  id: PLUGIN_ID,
  description: 'Connects JupyterLab to the AI Platform server.',
  autoStart: true,
  requires: [ITranslator],
  optional: [ISettingRegistry, ICommandPalette],
  provides: IConnectionModel,
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
  ): IConnectionModel => {
    const trans = translator.load(TRANSLATION_DOMAIN);
    const model = new ConnectionModel({ serverUrl: DEFAULT_SERVER_URL });
    addConnectionCommands(app.commands, model, trans);
    palette?.addItem({ command: CommandIDs.connect, category: trans.__('AI Platform') });
    settingRegistry
      ?.load(PLUGIN_ID)
      .then((settings) => {
        const apply = () => {
          model.serverUrl = readServerUrl(settings);
        };
        apply();
        settings.changed.connect(apply);
      })
      .catch((reason: unknown) => console.error(`${PLUGIN_ID}: cannot load the settings`, reason));
    return model;
  },
};

export default plugin;
export { IConnectionModel } from './tokens.js';
