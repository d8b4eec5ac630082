import type { SshKey } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IConnectionModel } from '../../tokens.js';
import { bindField, CodeField, InputField } from '../../training/views/FormField.js';
import { FormActions } from '../../training/views/FormActions.js';
import { formatTime } from '../../training/views/labels.js';
import { LiveList, RowNotes } from '../../training/views/LiveList.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { SshKeyFormModel, type SshKeyFormValues } from '../model/sshKeyFormModel.js';
import type { SshKeyListModel } from '../model/sshKeyListModel.js';

export interface SshKeysPanelProps {
  model: SshKeyListModel;
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Asks before a removal; resolves true to go ahead. */
  confirmDelete: (key: SshKey) => Promise<boolean>;
}

function Row({ sshKey, model, trans, confirmDelete }: SshKeysPanelProps & { sshKey: SshKey }) {
  const { id, name } = sshKey;
  return (
    <li className="aiplat-devMachine-accessItem" data-testid={`aiplat-sshkey-row-${name}`}>
      <div className="aiplat-jobList-line">
        <span className="aiplat-jobList-name" title={sshKey.publicKey}>
          {name}
        </span>
        <span className="aiplat-jobList-meta" data-testid={`aiplat-sshkey-type-${name}`}>
          {trans.__('%1, %2 bits', sshKey.type, sshKey.bits)}
        </span>
      </div>
      <div className="aiplat-jobList-line aiplat-jobList-meta">
        <code className="aiplat-devMachine-fingerprint" data-testid={`aiplat-sshkey-fingerprint-${name}`}>
          {sshKey.fingerprint}
        </code>
      </div>
      <div className="aiplat-jobList-line aiplat-jobList-meta">{trans.__('Added %1', formatTime(sshKey.addedAt))}</div>
      <RowNotes why={undefined} error={model.actionError(id)} />
      <div className="aiplat-devMachine-actions">
        <button
          className="jp-mod-styled"
          data-testid={`aiplat-sshkey-delete-${name}`}
          onClick={() => {
            void confirmDelete(sshKey).then((yes) => {
              if (yes) void model.delete(id);
            });
          }}
        >
          {trans.__('Remove')}
        </button>
      </div>
    </li>
  );
}

/** The add form: a name and a public key, checked as it is pasted. */
function SshKeyForm(props: {
  form: SshKeyFormModel;
  trans: TranslationBundle;
  onAdded: (key: SshKey) => void;
  onCancel: () => void;
}) {
  const { form, trans } = props;
  return (
    <UseSignal signal={form.changed}>
      {() => {
        const { values, errors, keyInfo } = form;
        const update = (patch: Partial<SshKeyFormValues>) => form.update(patch);
        const bind = <K extends keyof SshKeyFormValues & string>(key: K) => bindField(values, errors, update, key);
        return (
          <form
            className="aiplat-form"
            data-testid="aiplat-sshkey-form"
            onSubmit={(e) => {
              e.preventDefault();
              void form.add().then((added) => added && props.onAdded(added));
            }}
          >
            <fieldset className="aiplat-form-section">
              <legend>{trans.__('Add an SSH key')}</legend>
              <InputField label={trans.__('Name')} hint={trans.__('letters, digits, _ and -')} {...bind('name')} />
              <CodeField
                label={trans.__('Public key')}
                hint={trans.__(
                  'One line, the contents of a .pub file (e.g. ~/.ssh/id_ed25519.pub): ssh-ed25519, ecdsa or ssh-rsa of 2048 bits or more. Never the private key.',
                )}
                rows={4}
                {...bind('publicKey')}
              />
              {keyInfo && (
                <div className="aiplat-form-hint" data-testid="aiplat-sshkey-parsed">
                  {keyInfo.comment
                    ? trans.__('Reads as a %1 key of %2 bits (%3).', keyInfo.type, keyInfo.bits, keyInfo.comment)
                    : trans.__('Reads as a %1 key of %2 bits.', keyInfo.type, keyInfo.bits)}
                </div>
              )}
            </fieldset>
            <FormActions
              errors={errors}
              generalErrors={form.generalErrors}
              shown={new Set(['name', 'publicKey'])}
              busy={form.adding}
              label={trans.__('Add')}
              busyLabel={trans.__('Adding…')}
              testId="aiplat-sshkey-add"
              errorTestId="aiplat-sshkey-form-error"
            />
            <div className="aiplat-form-actions">
              <button
                type="button"
                className="jp-mod-styled"
                data-testid="aiplat-sshkey-cancel"
                onClick={props.onCancel}
              >
                {trans.__('Cancel')}
              </button>
            </div>
          </form>
        );
      }}
    </UseSignal>
  );
}

function SshKeys(props: SshKeysPanelProps) {
  const { model, trans, connection } = props;
  const [form, setForm] = React.useState<SshKeyFormModel | undefined>(undefined);
  // The form open is disposed when another replaces it and with the panel.
  React.useEffect(() => () => form?.dispose(), [form]);
  return (
    <div className="aiplat-devMachine-access">
      <p className="aiplat-form-hint">
        {trans.__(
          'Your SSH public keys open each of your dev machines that has SSH enabled. A machine that is running takes a key added or removed at its next start.',
        )}
      </p>
      <LiveList
        model={model}
        trans={trans}
        kind="sshkey"
        className="aiplat-sshKeyList"
        newLabel={trans.__('Add SSH key')}
        onNew={() => setForm(new SshKeyFormModel(connection))}
        empty={trans.__('No SSH keys yet.')}
        emptyDisconnected={trans.__('Connect to see your SSH keys.')}
        row={(key) => <Row key={key.id} sshKey={key} {...props} />}
      />
      {form && (
        <SshKeyForm
          form={form}
          trans={trans}
          onAdded={(added) => {
            model.put(added);
            setForm(undefined);
          }}
          onCancel={() => setForm(undefined)}
        />
      )}
    </div>
  );
}

/** The user's SSH public keys in the main area: the list, and the form that adds one. */
export class SshKeysPanel extends ModelWidget<SshKeysPanelProps> {
  constructor(props: SshKeysPanelProps) {
    super(props, props.model.changed, SshKeys, 'aiplat-sshkeys-panel');
  }
}
