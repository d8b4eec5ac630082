import type { GitCredential, GitCredentialKind } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IConnectionModel } from '../../tokens.js';
import { bindField, CodeField, InputField, SelectField } from '../../training/views/FormField.js';
import { FormActions } from '../../training/views/FormActions.js';
import { formatTime } from '../../training/views/labels.js';
import { LiveList, RowNotes } from '../../training/views/LiveList.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { GitCredentialFormModel, type GitCredentialFormValues } from '../model/gitCredentialFormModel.js';
import type { GitCredentialListModel } from '../model/gitCredentialListModel.js';

export interface GitCredentialsPanelProps {
  model: GitCredentialListModel;
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Asks before a delete; resolves true to go ahead. */
  confirmDelete: (credential: GitCredential) => Promise<boolean>;
}

export function gitCredentialKindLabel(kind: GitCredentialKind, trans: TranslationBundle): string {
  const labels: Record<GitCredentialKind, string> = {
    token: trans.__('Username and token (HTTPS)'),
    'ssh-key': trans.__('SSH private key'),
  };
  return labels[kind];
}

function Row({ credential, model, trans, confirmDelete }: GitCredentialsPanelProps & { credential: GitCredential }) {
  const { id, name, usedBy } = credential;
  return (
    <li className="aiplat-devMachine-accessItem" data-testid={`aiplat-gitcredential-row-${name}`}>
      <div className="aiplat-jobList-line">
        <span className="aiplat-jobList-name">{name}</span>
        <span className="aiplat-jobList-meta" data-testid={`aiplat-gitcredential-kind-${name}`}>
          {gitCredentialKindLabel(credential.kind, trans)}
        </span>
      </div>
      {credential.username !== undefined && (
        <div className="aiplat-jobList-line aiplat-jobList-meta" data-testid={`aiplat-gitcredential-username-${name}`}>
          {trans.__('User name: %1', credential.username)}
        </div>
      )}
      <div className="aiplat-jobList-line aiplat-jobList-meta" data-testid={`aiplat-gitcredential-usedby-${name}`}>
        {usedBy.length > 0 ? trans.__('Used by %1', usedBy.join(', ')) : trans.__('Used by no dev machine')}
      </div>
      <div className="aiplat-jobList-line aiplat-jobList-meta">
        {trans.__('Created %1', formatTime(credential.createdAt))}
      </div>
      <RowNotes why={undefined} error={model.actionError(id)} />
      <div className="aiplat-devMachine-actions">
        <button
          className="jp-mod-styled"
          data-testid={`aiplat-gitcredential-delete-${name}`}
          onClick={() => {
            void confirmDelete(credential).then((yes) => {
              if (yes) void model.delete(id);
            });
          }}
        >
          {trans.__('Delete')}
        </button>
      </div>
    </li>
  );
}

/** The create form: a name and a kind, then the kind's secret. */
function GitCredentialForm(props: {
  form: GitCredentialFormModel;
  trans: TranslationBundle;
  onCreated: (credential: GitCredential) => void;
  onCancel: () => void;
}) {
  const { form, trans } = props;
  return (
    <UseSignal signal={form.changed}>
      {() => {
        const { values, errors } = form;
        const update = (patch: Partial<GitCredentialFormValues>) => form.update(patch);
        const bind = <K extends keyof GitCredentialFormValues & string>(key: K) =>
          bindField(values, errors, update, key);
        return (
          <form
            className="aiplat-form"
            data-testid="aiplat-gitcredential-form"
            onSubmit={(e) => {
              e.preventDefault();
              void form.create().then((created) => created && props.onCreated(created));
            }}
          >
            <fieldset className="aiplat-form-section">
              <legend>{trans.__('New Git credential')}</legend>
              <InputField label={trans.__('Name')} hint={trans.__('letters, digits, _ and -')} {...bind('name')} />
              <SelectField<GitCredentialKind>
                label={trans.__('Kind')}
                {...bind('kind')}
                options={[
                  ['token', gitCredentialKindLabel('token', trans)],
                  ['ssh-key', gitCredentialKindLabel('ssh-key', trans)],
                ]}
              />
              {values.kind === 'token' ? (
                <>
                  <InputField
                    label={trans.__('User name')}
                    hint={trans.__('the Git host user name (any name for tokens that need none)')}
                    {...bind('username')}
                  />
                  <InputField
                    label={trans.__('Token')}
                    hint={trans.__('a personal access token (or password) that may read the repositories')}
                    password
                    {...bind('token')}
                  />
                </>
              ) : (
                <CodeField
                  label={trans.__('Private key')}
                  hint={trans.__(
                    'An unencrypted private key, from -----BEGIN … PRIVATE KEY----- to -----END … PRIVATE KEY-----; its public key must be a deploy key of the repositories.',
                  )}
                  rows={8}
                  {...bind('privateKey')}
                />
              )}
              <div
                className="aiplat-form-hint aiplat-devMachine-secretNote"
                data-testid="aiplat-gitcredential-secret-note"
              >
                {trans.__(
                  'The secret is kept encrypted and is never shown again, not even to you: to change it, delete the credential and create it anew.',
                )}
              </div>
            </fieldset>
            <FormActions
              errors={errors}
              generalErrors={form.generalErrors}
              shown={new Set(['name', 'kind', 'username', 'token', 'privateKey'])}
              busy={form.creating}
              label={trans.__('Create')}
              busyLabel={trans.__('Creating…')}
              testId="aiplat-gitcredential-create"
              errorTestId="aiplat-gitcredential-form-error"
            />
            <div className="aiplat-form-actions">
              <button
                type="button"
                className="jp-mod-styled"
                data-testid="aiplat-gitcredential-cancel"
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

function GitCredentials(props: GitCredentialsPanelProps) {
  const { model, trans, connection } = props;
  const [form, setForm] = React.useState<GitCredentialFormModel | undefined>(undefined);
  /** The name of the credential just created, told once that its secret is gone for good. */
  const [created, setCreated] = React.useState<string | undefined>(undefined);
  // The form open (and the secret typed in it) is dropped when another replaces it and with the panel.
  React.useEffect(() => () => form?.dispose(), [form]);
  return (
    <div className="aiplat-devMachine-access">
      <p className="aiplat-form-hint">
        {trans.__(
          'Credentials open the private Git repositories your dev machines clone at their first start: a user name and token for HTTPS URLs, an SSH private key for SSH URLs.',
        )}
      </p>
      {created && (
        <div className="aiplat-devMachine-created" data-testid="aiplat-gitcredential-created" role="status">
          {trans.__('Created %1. Its secret is kept encrypted and will never be shown again.', created)}
        </div>
      )}
      <LiveList
        model={model}
        trans={trans}
        kind="gitcredential"
        className="aiplat-gitCredentialList"
        newLabel={trans.__('New Git credential')}
        onNew={() => {
          setCreated(undefined);
          setForm(new GitCredentialFormModel(connection));
        }}
        empty={trans.__('No Git credentials yet.')}
        emptyDisconnected={trans.__('Connect to see your Git credentials.')}
        row={(credential) => <Row key={credential.id} credential={credential} {...props} />}
      />
      {form && (
        <GitCredentialForm
          form={form}
          trans={trans}
          onCreated={(credential) => {
            model.put(credential);
            setCreated(credential.name);
            setForm(undefined);
          }}
          onCancel={() => setForm(undefined)}
        />
      )}
    </div>
  );
}

/** The user's Git credentials in the main area: the list (never the secrets), and the form that creates one. */
export class GitCredentialsPanel extends ModelWidget<GitCredentialsPanelProps> {
  constructor(props: GitCredentialsPanelProps) {
    super(props, props.model.changed, GitCredentials, 'aiplat-gitcredentials-panel');
  }
}
