import type { DevMachine, DevMachineEvent, DevMachineIde, DevMachineState } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { formatTime } from '../../training/views/labels.js';
import { LiveList, RowNotes } from '../../training/views/LiveList.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { clockTime } from '../model/autoStopNotices.js';
import type { DevMachineListModel } from '../model/devMachineListModel.js';
import { DevMachineAccess } from './DevMachineAccess.js';

export interface DevMachineListPanelProps {
  model: DevMachineListModel;
  trans: TranslationBundle;
  onCreate: () => void;
  onCopy: (id: string) => void;
  /** Asks before a delete; resolves true to go ahead. */
  confirmDelete: (machine: DevMachine) => Promise<boolean>;
  /** Opens an IDE of a running dev machine in a new browser tab, signed in. */
  onOpenIde: (id: string, ide: DevMachineIde) => void;
  /** Opens "Save environment as image" of a running dev machine. */
  onSaveImage?: (machine: DevMachine) => void;
  /** Opens the editor of the user's lifecycle configs. */
  onLifecycleConfigs?: () => void;
  /** Opens a dev machine's lifecycle log (its scripts' output). */
  onLifecycleLog?: (machine: DevMachine) => void;
  /** Opens "Why not idle?" of a running dev machine: its idle signals and the verdict. */
  onWhyNotIdle?: (machine: DevMachine) => void;
  /** Opens the manager of the user's SSH public keys. */
  onSshKeys?: () => void;
  /** Opens the manager of the user's Git credentials. */
  onGitCredentials?: () => void;
}

export function devMachineStateLabel(state: DevMachineState, trans: TranslationBundle): string {
  const labels: Record<DevMachineState, string> = {
    Creating: trans.__('Creating'),
    Starting: trans.__('Starting'),
    Running: trans.__('Running'),
    Stopping: trans.__('Stopping'),
    Stopped: trans.__('Stopped'),
    Failed: trans.__('Failed'),
  };
  return labels[state];
}

function Events({ model, id }: { model: DevMachineListModel; id: string }) {
  const [events, setEvents] = React.useState<DevMachineEvent[] | undefined>(undefined);
  const state = model.machines.find((m) => m.id === id)?.state;
  React.useEffect(() => {
    let live = true;
    void model.events(id).then((found) => live && setEvents(found));
    return () => {
      live = false;
    };
  }, [model, id, state]);
  if (!events) return null;
  return (
    <ol className="aiplat-devMachine-events" data-testid={`aiplat-devmachine-events-${id}`}>
      {[...events].reverse().map((event, i) => (
        <li key={`${event.time}-${i}`} data-type={event.type}>
          <span className="aiplat-devMachine-eventTime">{formatTime(event.time)}</span> {event.message}
        </li>
      ))}
    </ol>
  );
}

function Row({ machine, ...props }: DevMachineListPanelProps & { machine: DevMachine }) {
  const { model, trans } = props;
  const [showEvents, setShowEvents] = React.useState(false);
  const { id, state, spec } = machine;
  const running = state === 'Running';
  const stoppable = state === 'Creating' || state === 'Starting' || state === 'Running';
  const startable = state === 'Stopped' || state === 'Failed';
  const why = state === 'Failed' ? machine.failure?.message : machine.waitReason?.message;
  const accelerator = spec.resources.accelerator;
  const button = (testId: string, label: string, onClick: () => void, accept = false) => (
    <button
      className={`jp-mod-styled${accept ? ' jp-mod-accept' : ''}`}
      data-testid={`aiplat-devmachine-${testId}-${id}`}
      onClick={onClick}
    >
      {label}
    </button>
  );
  return (
    <li className="aiplat-devMachine-item" data-testid={`aiplat-devmachine-row-${id}`} data-state={state}>
      <div className="aiplat-jobList-line">
        <span className="aiplat-jobList-name" title={`${spec.name} (${id})`}>
          {spec.name}
        </span>
        <span
          className={`aiplat-jobState aiplat-devMachineState-${state}`}
          data-testid={`aiplat-devmachine-state-${id}`}
        >
          {devMachineStateLabel(state, trans)}
        </span>
      </div>
      <div className="aiplat-jobList-line aiplat-jobList-meta">
        <span title={spec.ides.join(', ')}>
          {trans.__('%1 CPU', spec.resources.cpu)} · {String(spec.resources.memory)}
          {accelerator.type !== 'none' && accelerator.count > 0 ? ` · ${accelerator.count} ${accelerator.type}` : ''}
        </span>
        {spec.lifecycleConfig !== undefined && (
          <span
            className="aiplat-devMachine-lifecycle"
            data-testid={`aiplat-devmachine-config-${id}`}
            title={trans.__('Lifecycle config: %1', spec.lifecycleConfig)}
          >
            {' · '}
            {spec.lifecycleConfig}
          </span>
        )}
        {running && machine.autoStopAt && (
          <span
            className="aiplat-devMachine-autoStop"
            data-testid={`aiplat-devmachine-autostop-${id}`}
            title={formatTime(machine.autoStopAt)}
          >
            {' · '}
            {trans.__('Stops at %1', clockTime(machine.autoStopAt))}
          </span>
        )}
      </div>
      <RowNotes why={why} error={model.actionError(id)} whyTestId={`aiplat-devmachine-why-${id}`} />
      <DevMachineAccess machine={machine} trans={trans} />
      <div className="aiplat-devMachine-actions">
        {running &&
          spec.ides.includes('jupyterlab') &&
          button('open-lab', trans.__('Open JupyterLab'), () => props.onOpenIde(id, 'jupyterlab'), true)}
        {running &&
          spec.ides.includes('code-server') &&
          button('open-code', trans.__('Open VS Code'), () => props.onOpenIde(id, 'code-server'), true)}
        {running &&
          props.onSaveImage &&
          button('save-image', trans.__('Save as image'), () => props.onSaveImage?.(machine))}
        {running &&
          props.onWhyNotIdle &&
          button('why-not-idle', trans.__('Why not idle?'), () => props.onWhyNotIdle?.(machine))}
        {running && machine.autoStopAt && button('snooze', trans.__('Snooze 1 h'), () => void model.snooze(id))}
        {startable && button('start', trans.__('Start'), () => void model.start(id))}
        {startable &&
          spec.lifecycleConfig !== undefined &&
          button('start-safe', trans.__('Start in safe mode'), () => void model.start(id, true))}
        {stoppable && button('stop', trans.__('Stop'), () => void model.stop(id))}
        {button('copy', trans.__('Copy'), () => props.onCopy(id))}
        {startable &&
          button('delete', trans.__('Delete'), () => {
            void props.confirmDelete(machine).then((yes) => {
              if (yes) void model.delete(id);
            });
          })}
        {spec.lifecycleConfig !== undefined &&
          props.onLifecycleLog &&
          button('lifecycle-log', trans.__('Lifecycle log'), () => props.onLifecycleLog?.(machine))}
        {button('show-events', showEvents ? trans.__('Hide events') : trans.__('Events'), () =>
          setShowEvents(!showEvents),
        )}
      </div>
      {showEvents && <Events model={model} id={id} />}
    </li>
  );
}

function DevMachineList(props: DevMachineListPanelProps) {
  const { model, trans } = props;
  const list = (
    <LiveList
      model={model}
      trans={trans}
      kind="devmachine"
      className="aiplat-devMachineList"
      newLabel={trans.__('New dev machine')}
      onNew={props.onCreate}
      empty={trans.__('No dev machines yet.')}
      emptyDisconnected={trans.__('Connect to see your dev machines.')}
      row={(machine) => <Row key={machine.id} machine={machine} {...props} />}
    />
  );
  const link = (testId: string, label: string, title: string, onClick: (() => void) | undefined) =>
    onClick && (
      <button key={testId} className="jp-mod-styled" data-testid={testId} title={title} onClick={onClick}>
        {label}
      </button>
    );
  const links = [
    link(
      'aiplat-open-lifecycleconfigs',
      trans.__('Lifecycle configs'),
      trans.__('Scripts your dev machines run before their IDEs'),
      props.onLifecycleConfigs,
    ),
    link(
      'aiplat-open-sshkeys',
      trans.__('SSH keys'),
      trans.__('The public keys that open your dev machines with SSH enabled'),
      props.onSshKeys,
    ),
    link(
      'aiplat-open-gitcredentials',
      trans.__('Git credentials'),
      trans.__('What opens the private repositories your dev machines clone'),
      props.onGitCredentials,
    ),
  ].filter(Boolean);
  if (links.length === 0) return list;
  return (
    <>
      <div className="aiplat-devMachine-links">{links}</div>
      {list}
    </>
  );
}

/** The sidebar's Dev machines section: the live list, each with its actions and events. */
export class DevMachineListPanel extends ModelWidget<DevMachineListPanelProps> {
  constructor(props: DevMachineListPanelProps) {
    super(props, props.model.changed, DevMachineList, 'aiplat-devmachines-panel');
  }
}
