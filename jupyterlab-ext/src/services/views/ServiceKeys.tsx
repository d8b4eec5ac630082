import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { formatTime } from '../../training/views/labels.js';
import { parseTokenLimit, type ServiceKeysModel } from '../model/serviceKeysModel.js';
import { CopyButton } from './CopyButton.js';

/** A limit as shown: the number, or "none". */
function limitText(value: number | undefined, trans: TranslationBundle): string {
  return value === undefined ? trans.__('none') : value.toLocaleString();
}

/** The secret just created, shown once with Copy and the warning that it will not be shown again. */
function CreatedSecret({ keys, trans }: { keys: ServiceKeysModel; trans: TranslationBundle }) {
  const created = keys.created;
  if (!created) return null;
  return (
    <div className="aiplat-service-secret" data-testid="aiplat-service-secret" data-kind={created.kind} role="alert">
      <div>
        {created.kind === 'token'
          ? trans.__('The new token %1:', created.id)
          : trans.__('The AppSecret of %1:', created.id)}
      </div>
      <div className="aiplat-service-secretLine">
        <code data-testid="aiplat-service-secret-value">{created.secret}</code>
        <CopyButton text={created.secret} trans={trans} testId="aiplat-service-secret-copy" />
      </div>
      <strong>{trans.__('Copy it now: you will not see it again.')}</strong>{' '}
      <button
        className="jp-mod-styled"
        data-testid="aiplat-service-secret-dismiss"
        onClick={() => keys.dismissSecret()}
      >
        {trans.__('Done')}
      </button>
    </div>
  );
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
  const m = parseTokenLimit(minute);
  const d = parseTokenLimit(day);
  const bad = m === 'invalid' || d === 'invalid';
  return (
    <span className="aiplat-service-limits">
      <input
        className="jp-mod-styled"
        size={8}
        value={minute}
        aria-label={trans.__('Tokens per minute')}
        onChange={(e) => setMinute(e.target.value)}
      />
      <input
        className="jp-mod-styled"
        size={10}
        value={day}
        aria-label={trans.__('Tokens per day')}
        onChange={(e) => setDay(e.target.value)}
      />
      <button
        className="jp-mod-styled jp-mod-accept"
        disabled={bad}
        title={bad ? trans.__('a whole number of LLM tokens greater than 0, or empty for none') : ''}
        onClick={() => {
          if (m === 'invalid' || d === 'invalid') return;
          void keys
            .setTokenLimits(id, { ...(m ? { tokensPerMinute: m } : {}), ...(d ? { tokensPerDay: d } : {}) })
            .then(() => setEditing(false));
        }}
      >
        {trans.__('Save')}
      </button>
    </span>
  );
}

function Tokens({ keys, trans, confirm }: ServiceKeysProps) {
  const [description, setDescription] = React.useState('');
  const [minute, setMinute] = React.useState('');
  const [day, setDay] = React.useState('');
  const m = parseTokenLimit(minute);
  const d = parseTokenLimit(day);
  const bad = m === 'invalid' || d === 'invalid';
  return (
    <section className="aiplat-service-keys-section">
      <h3>{trans.__('Bearer tokens')}</h3>
      <p className="aiplat-form-hint">
        {trans.__('Callers send Authorization: Bearer <token>. Limits count LLM tokens from the answers’ usage.')}
      </p>
      <div className="aiplat-form-row">
        <input
          className="jp-mod-styled"
          data-testid="aiplat-service-token-description"
          placeholder={trans.__('Description')}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <input
          className="jp-mod-styled"
          data-testid="aiplat-service-token-minute"
          placeholder={trans.__('Tokens per minute')}
          aria-invalid={m === 'invalid'}
          value={minute}
          onChange={(e) => setMinute(e.target.value)}
        />
        <input
          className="jp-mod-styled"
          data-testid="aiplat-service-token-day"
          placeholder={trans.__('Tokens per day')}
          aria-invalid={d === 'invalid'}
          value={day}
          onChange={(e) => setDay(e.target.value)}
        />
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid="aiplat-service-token-create"
          disabled={keys.busy || bad}
          onClick={() => {
            if (m === 'invalid' || d === 'invalid') return;
            void keys
              .createToken({
                ...(description.trim() ? { description: description.trim() } : {}),
                ...(m ? { tokensPerMinute: m } : {}),
                ...(d ? { tokensPerDay: d } : {}),
              })
              .then(() => setDescription(''));
          }}
        >
          {trans.__('Create token')}
        </button>
      </div>
      {bad && (
        <div className="aiplat-form-error" role="alert">
          {trans.__('a whole number of LLM tokens greater than 0, or empty for none')}
        </div>
      )}
      <table className="aiplat-jobView-instances aiplat-service-tokens" data-testid="aiplat-service-tokens">
        <thead>
          <tr>
            <th>{trans.__('Token')}</th>
            <th>{trans.__('Description')}</th>
            <th>{trans.__('Per minute / per day')}</th>
            <th>{trans.__('Used today')}</th>
            <th>{trans.__('State')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.tokens.map((t) => (
            <tr key={t.id} data-testid={`aiplat-service-token-${t.id}`} data-enabled={t.enabled}>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{t.description ?? ''}</td>
              <td>
                <TokenLimits
                  keys={keys}
                  trans={trans}
                  id={t.id}
                  perMinute={t.tokensPerMinute}
                  perDay={t.tokensPerDay}
                />
              </td>
              <td>{t.usedToday.toLocaleString()}</td>
              <td>{t.enabled ? trans.__('Enabled') : trans.__('Disabled')}</td>
              <td className="aiplat-service-rowActions">
                <button
                  className="jp-mod-styled"
                  data-testid={`aiplat-service-token-toggle-${t.id}`}
                  onClick={() => void keys.setTokenEnabled(t.id, !t.enabled)}
                >
                  {t.enabled ? trans.__('Disable') : trans.__('Enable')}
                </button>
                <button
                  className="jp-mod-styled jp-mod-warn"
                  data-testid={`aiplat-service-token-delete-${t.id}`}
                  onClick={() =>
                    void confirm(trans.__('Delete token %1?', t.prefix)).then((yes) =>
                      yes ? keys.deleteToken(t.id) : undefined,
                    )
                  }
                >
                  {trans.__('Delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AppKeys({ keys, trans, confirm }: ServiceKeysProps) {
  const [description, setDescription] = React.useState('');
  return (
    <section className="aiplat-service-keys-section">
      <h3>{trans.__('AppKeys')}</h3>
      <p className="aiplat-form-hint">
        {trans.__(
          'Callers send AppKey, Timestamp (ms) and Sign = HMAC-SHA1 hex of AppKey + AppSecret + Timestamp keyed with the AppSecret.',
        )}
      </p>
      <div className="aiplat-form-row">
        <input
          className="jp-mod-styled"
          data-testid="aiplat-service-appkey-description"
          placeholder={trans.__('Description')}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid="aiplat-service-appkey-create"
          disabled={keys.busy}
          onClick={() => void keys.createAppKey(description.trim() || undefined).then(() => setDescription(''))}
        >
          {trans.__('Create AppKey')}
        </button>
      </div>
      <table className="aiplat-jobView-instances" data-testid="aiplat-service-appkeys">
        <thead>
          <tr>
            <th>{trans.__('AppKey')}</th>
            <th>{trans.__('Description')}</th>
            <th>{trans.__('Last used')}</th>
            <th>{trans.__('State')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.appKeys.map((k) => (
            <tr key={k.appKey} data-testid={`aiplat-service-appkey-${k.appKey}`} data-enabled={k.enabled}>
              <td>
                <code>{k.appKey}</code>
              </td>
              <td>{k.description ?? ''}</td>
              <td>{formatTime(k.lastUsedAt)}</td>
              <td>{k.enabled ? trans.__('Enabled') : trans.__('Disabled')}</td>
              <td className="aiplat-service-rowActions">
                <button className="jp-mod-styled" onClick={() => void keys.setAppKeyEnabled(k.appKey, !k.enabled)}>
                  {k.enabled ? trans.__('Disable') : trans.__('Enable')}
                </button>
                <button
                  className="jp-mod-styled jp-mod-warn"
                  onClick={() =>
                    void confirm(trans.__('Delete AppKey %1?', k.appKey)).then((yes) =>
                      yes ? keys.deleteAppKey(k.appKey) : undefined,
                    )
                  }
                >
                  {trans.__('Delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
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
