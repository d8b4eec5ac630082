import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { TextBox } from '../../training/views/FormField.js';
import { formatTime } from '../../training/views/labels.js';
import { parseTokenLimit, type ServiceKeysModel } from '../model/serviceKeysModel.js';
import { ShownOnceSecret } from './ShownOnceSecret.js';

/** A limit as shown: the number, or "none". */
function limitText(value: number | undefined, trans: TranslationBundle): string {
  return value === undefined ? trans.__('none') : value.toLocaleString();
}

/** The secret just created, shown once with Copy and the warning that it will not be shown again. */
function CreatedSecret({ keys, trans }: { keys: ServiceKeysModel; trans: TranslationBundle }) {
  const created = keys.created;
  if (!created) return null;
  return (
    <ShownOnceSecret
      title={
        created.kind === 'token'
          ? trans.__('The new token %1:', created.id)
          : trans.__('The AppSecret of %1:', created.id)
      }
      secret={created.secret}
      testId="aiplat-service-secret"
      kind={created.kind}
      onDone={() => keys.dismissSecret()}
      trans={trans}
    />
  );
}

/** Per-minute and per-day limits as typed: each empty (none) or a whole number of LLM tokens. */
function useTokenLimits(perMinute?: number, perDay?: number) {
  const [minute, setMinute] = React.useState(perMinute === undefined ? '' : String(perMinute));
  const [day, setDay] = React.useState(perDay === undefined ? '' : String(perDay));
  const m = parseTokenLimit(minute);
  const d = parseTokenLimit(day);
  const limits =
    m === 'invalid' || d === 'invalid'
      ? undefined
      : { ...(m ? { tokensPerMinute: m } : {}), ...(d ? { tokensPerDay: d } : {}) };
  return { minute, setMinute, day, setDay, minuteBad: m === 'invalid', dayBad: d === 'invalid', limits };
}

function TokenLimits({
  keys,
  trans,
  id,
  perMinute,
  perDay,
}: {
  keys: ServiceKeysModel;
  trans: TranslationBundle;
  id: string;
  perMinute: number | undefined;
  perDay: number | undefined;
}) {
  const [editing, setEditing] = React.useState(false);
  const typed = useTokenLimits(perMinute, perDay);
  if (!editing) {
    return (
      <>
        {limitText(perMinute, trans)} / {limitText(perDay, trans)}{' '}
        <button
          className="jp-mod-styled"
          data-testid={`aiplat-service-token-limits-${id}`}
          onClick={() => setEditing(true)}
        >
          {trans.__('Change')}
        </button>
      </>
    );
  }
  const { limits } = typed;
  return (
    <span className="aiplat-service-limits">
      <TextBox size={8} value={typed.minute} label={trans.__('Tokens per minute')} onChange={typed.setMinute} />
      <TextBox size={10} value={typed.day} label={trans.__('Tokens per day')} onChange={typed.setDay} />
      <button
        className="jp-mod-styled jp-mod-accept"
        disabled={!limits}
        title={limits ? '' : trans.__('a whole number of LLM tokens greater than 0, or empty for none')}
        onClick={() => {
          if (limits) void keys.setTokenLimits(id, limits).then(() => setEditing(false));
        }}
      >
        {trans.__('Save')}
      </button>
    </span>
  );
}

/** A table of keys: its headers, then a last column of actions. */
function KeysTable(props: { className?: string; testId: string; headers: string[]; children: React.ReactNode }) {
  return (
    <table
      className={`aiplat-jobView-instances${props.className ? ` ${props.className}` : ''}`}
      data-testid={props.testId}
    >
      <thead>
        <tr>
          {props.headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/** A key's state and its actions: enable or disable it, delete it once asked. */
function KeyStateCells(props: {
  enabled: boolean;
  trans: TranslationBundle;
  /** `aiplat-service-token-<action>-<id>`, when the key's buttons have test ids. */
  testId?: (action: 'toggle' | 'delete') => string;
  onToggle: () => Promise<void>;
  /** The question asked before the delete. */
  question: string;
  confirm: (question: string) => Promise<boolean>;
  onDelete: () => Promise<void>;
}) {
  const { enabled, trans } = props;
  return (
    <>
      <td>{enabled ? trans.__('Enabled') : trans.__('Disabled')}</td>
      <td className="aiplat-service-rowActions">
        <button className="jp-mod-styled" data-testid={props.testId?.('toggle')} onClick={() => void props.onToggle()}>
          {enabled ? trans.__('Disable') : trans.__('Enable')}
        </button>
        <button
          className="jp-mod-styled jp-mod-warn"
          data-testid={props.testId?.('delete')}
          onClick={() => void props.confirm(props.question).then((yes) => (yes ? props.onDelete() : undefined))}
        >
          {trans.__('Delete')}
        </button>
      </td>
    </>
  );
}

/**
 * A kind of key: its title and how callers use it, a row to create one (a description, `inputs`,
 * then the create button) and `children` under it (its problems, its table).
 */
function KeysSection(props: {
  kind: 'token' | 'appkey';
  title: string;
  hint: string;
  trans: TranslationBundle;
  inputs?: React.ReactNode;
  createLabel: string;
  disabled: boolean;
  /** Creates one with the description typed (if any); the description is emptied after. */
  onCreate: (description: string | undefined) => Promise<unknown> | undefined;
  children: React.ReactNode;
}) {
  const { kind, trans } = props;
  const [description, setDescription] = React.useState('');
  return (
    <section className="aiplat-service-keys-section">
      <h3>{props.title}</h3>
      <p className="aiplat-form-hint">{props.hint}</p>
      <div className="aiplat-form-row">
        <TextBox
          testId={`aiplat-service-${kind}-description`}
          placeholder={trans.__('Description')}
          value={description}
          onChange={setDescription}
        />
        {props.inputs}
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid={`aiplat-service-${kind}-create`}
          disabled={props.disabled}
          onClick={() => void props.onCreate(description.trim() || undefined)?.then(() => setDescription(''))}
        >
          {props.createLabel}
        </button>
      </div>
      {props.children}
    </section>
  );
}

function Tokens({ keys, trans, confirm }: ServiceKeysProps) {
  const typed = useTokenLimits();
  const { limits } = typed;
  return (
    <KeysSection
      kind="token"
      title={trans.__('Bearer tokens')}
      hint={trans.__('Callers send Authorization: Bearer <token>. Limits count LLM tokens from the answers’ usage.')}
      trans={trans}
      inputs={
        <>
          <TextBox
            testId="aiplat-service-token-minute"
            placeholder={trans.__('Tokens per minute')}
            invalid={typed.minuteBad}
            value={typed.minute}
            onChange={typed.setMinute}
          />
          <TextBox
            testId="aiplat-service-token-day"
            placeholder={trans.__('Tokens per day')}
            invalid={typed.dayBad}
            value={typed.day}
            onChange={typed.setDay}
          />
        </>
      }
      createLabel={trans.__('Create token')}
      disabled={keys.busy || !limits}
      onCreate={(description) => limits && keys.createToken({ ...(description ? { description } : {}), ...limits })}
    >
      {!limits && (
        <div className="aiplat-form-error" role="alert">
          {trans.__('a whole number of LLM tokens greater than 0, or empty for none')}
        </div>
      )}
      <KeysTable
        className="aiplat-service-tokens"
        testId="aiplat-service-tokens"
        headers={[
          trans.__('Token'),
          trans.__('Description'),
          trans.__('Per minute / per day'),
          trans.__('Used today'),
          trans.__('State'),
        ]}
      >
        {keys.tokens.map((t) => (
          <tr key={t.id} data-testid={`aiplat-service-token-${t.id}`} data-enabled={t.enabled}>
            <td>
              <code>{t.prefix}…</code>
            </td>
            <td>{t.description ?? ''}</td>
            <td>
              <TokenLimits keys={keys} trans={trans} id={t.id} perMinute={t.tokensPerMinute} perDay={t.tokensPerDay} />
            </td>
            <td>{t.usedToday.toLocaleString()}</td>
            <KeyStateCells
              enabled={t.enabled}
              trans={trans}
              testId={(action) => `aiplat-service-token-${action}-${t.id}`}
              onToggle={() => keys.setTokenEnabled(t.id, !t.enabled)}
              question={trans.__('Delete token %1?', t.prefix)}
              confirm={confirm}
              onDelete={() => keys.deleteToken(t.id)}
            />
          </tr>
        ))}
      </KeysTable>
    </KeysSection>
  );
}

function AppKeys({ keys, trans, confirm }: ServiceKeysProps) {
  return (
    <KeysSection
      kind="appkey"
      title={trans.__('AppKeys')}
      hint={trans.__(
        'Callers send AppKey, Timestamp (ms) and Sign = HMAC-SHA1 hex of AppKey + AppSecret + Timestamp keyed with the AppSecret.',
      )}
      trans={trans}
      createLabel={trans.__('Create AppKey')}
      disabled={keys.busy}
      onCreate={(description) => keys.createAppKey(description)}
    >
      <KeysTable
        testId="aiplat-service-appkeys"
        headers={[trans.__('AppKey'), trans.__('Description'), trans.__('Last used'), trans.__('State')]}
      >
        {keys.appKeys.map((k) => (
          <tr key={k.appKey} data-testid={`aiplat-service-appkey-${k.appKey}`} data-enabled={k.enabled}>
            <td>
              <code>{k.appKey}</code>
            </td>
            <td>{k.description ?? ''}</td>
            <td>{formatTime(k.lastUsedAt)}</td>
            <KeyStateCells
              enabled={k.enabled}
              trans={trans}
              onToggle={() => keys.setAppKeyEnabled(k.appKey, !k.enabled)}
              question={trans.__('Delete AppKey %1?', k.appKey)}
              confirm={confirm}
              onDelete={() => keys.deleteAppKey(k.appKey)}
            />
          </tr>
        ))}
      </KeysTable>
    </KeysSection>
  );
}

export interface ServiceKeysProps {
  keys: ServiceKeysModel;
  trans: TranslationBundle;
  /** Asks a yes/no question (a delete); resolves true to go ahead. */
  confirm: (question: string) => Promise<boolean>;
}

/** Who may call the service: its bearer tokens and the AppKeys bound to it, each secret shown once. */
export function ServiceKeys(props: ServiceKeysProps) {
  const { keys, trans } = props;
  React.useEffect(() => {
    void keys.refresh();
  }, [keys]);
  return (
    <UseSignal signal={keys.changed}>
      {() => (
        <div className="aiplat-service-keys" data-testid="aiplat-service-keys">
          {keys.error && (
            <div className="aiplat-error" role="alert">
              {keys.error}
            </div>
          )}
          <CreatedSecret keys={keys} trans={trans} />
          <Tokens {...props} />
          <AppKeys {...props} />
        </div>
      )}
    </UseSignal>
  );
}
