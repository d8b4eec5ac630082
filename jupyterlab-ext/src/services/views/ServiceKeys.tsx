import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { TextBox } from '../../training/views/FormField.js';
import { formatTime } from '../../training/views/labels.js';
import { typedTokenLimits, type ServiceKeysModel, type TokenLimitField } from '../model/serviceKeysModel.js';
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

/** What a limit field takes, naming the field. */
function tokenLimitProblem(field: TokenLimitField, trans: TranslationBundle): string {
  return field === 'tokensPerMinute'
    ? trans.__('Tokens per minute must be a whole number of LLM tokens greater than 0, or empty for none')
    : trans.__('Tokens per day must be a whole number of LLM tokens greater than 0, or empty for none');
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
  const [minute, setMinute] = React.useState(perMinute === undefined ? '' : String(perMinute));
  const [day, setDay] = React.useState(perDay === undefined ? '' : String(perDay));
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
  const { limits, invalid } = typedTokenLimits({ tokensPerMinute: minute, tokensPerDay: day });
  return (
    <span className="aiplat-service-limits">
      <TextBox
        size={8}
        value={minute}
        label={trans.__('Tokens per minute')}
        invalid={invalid.includes('tokensPerMinute')}
        onChange={setMinute}
      />
      <TextBox
        size={10}
        value={day}
        label={trans.__('Tokens per day')}
        invalid={invalid.includes('tokensPerDay')}
        onChange={setDay}
      />
      <button
        className="jp-mod-styled jp-mod-accept"
        disabled={invalid.length > 0}
        title={invalid.map((field) => tokenLimitProblem(field, trans)).join('\n')}
        onClick={() => void keys.setTokenLimits(id, limits).then((saved) => saved && setEditing(false))}
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
  description: string;
  onDescriptionChange: (description: string) => void;
  inputs?: React.ReactNode;
  createLabel: string;
  disabled: boolean;
  onCreate: () => void;
  children: React.ReactNode;
}) {
  const { kind, trans } = props;
  return (
    <section className="aiplat-service-keys-section">
      <h3>{props.title}</h3>
      <p className="aiplat-form-hint">{props.hint}</p>
      <div className="aiplat-form-row">
        <TextBox
          testId={`aiplat-service-${kind}-description`}
          placeholder={trans.__('Description')}
          value={props.description}
          onChange={props.onDescriptionChange}
        />
        {props.inputs}
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid={`aiplat-service-${kind}-create`}
          disabled={props.disabled}
          onClick={props.onCreate}
        >
          {props.createLabel}
        </button>
      </div>
      {props.children}
    </section>
  );
}

function Tokens({ keys, trans, confirm }: ServiceKeysProps) {
  const typed = keys.newToken;
  const problems = keys.newTokenProblems;
  return (
    <KeysSection
      kind="token"
      title={trans.__('Bearer tokens')}
      hint={trans.__('Callers send Authorization: Bearer <token>. Limits count LLM tokens from the answers’ usage.')}
      trans={trans}
      description={typed.description}
      onDescriptionChange={(description) => keys.editNewToken({ description })}
      inputs={
        <>
          <TextBox
            testId="aiplat-service-token-minute"
            placeholder={trans.__('Tokens per minute')}
            invalid={problems.includes('tokensPerMinute')}
            value={typed.tokensPerMinute}
            onChange={(tokensPerMinute) => keys.editNewToken({ tokensPerMinute })}
          />
          <TextBox
            testId="aiplat-service-token-day"
            placeholder={trans.__('Tokens per day')}
            invalid={problems.includes('tokensPerDay')}
            value={typed.tokensPerDay}
            onChange={(tokensPerDay) => keys.editNewToken({ tokensPerDay })}
          />
        </>
      }
      createLabel={trans.__('Create token')}
      disabled={keys.busy || problems.length > 0}
      onCreate={() => void keys.createToken()}
    >
      {problems.map((field) => (
        <div key={field} className="aiplat-form-error" data-testid={`aiplat-service-token-error-${field}`} role="alert">
          {tokenLimitProblem(field, trans)}
        </div>
      ))}
      <KeysTable
        className="aiplat-service-tokens"
        testId="aiplat-service-tokens"
        headers={[
          trans.__('ID'),
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
              <code data-testid={`aiplat-service-token-id-${t.id}`}>{t.id}</code>
            </td>
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
              question={trans.__('Delete token %1?', t.id)}
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
  const [description, setDescription] = React.useState('');
  return (
    <KeysSection
      kind="appkey"
      title={trans.__('AppKeys')}
      hint={trans.__(
        'Callers send AppKey, Timestamp (ms) and Sign = HMAC-SHA1 hex of AppKey + AppSecret + Timestamp keyed with the AppSecret.',
      )}
      trans={trans}
      description={description}
      onDescriptionChange={setDescription}
      createLabel={trans.__('Create AppKey')}
      disabled={keys.busy}
      onCreate={() =>
        void keys.createAppKey(description.trim() || undefined).then((created) => created && setDescription(''))
      }
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
