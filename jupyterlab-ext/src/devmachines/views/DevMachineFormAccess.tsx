import { DEV_MACHINE_MAX_REPOSITORIES, gitRepositoryFolder } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CodeField, FieldProblems, InputField, SelectField } from '../../training/views/FormField.js';
import { repositoryField } from '../model/accessFormValues.js';
import type { DevMachineFormModel } from '../model/devMachineFormModel.js';

interface SectionProps {
  model: DevMachineFormModel;
  trans: TranslationBundle;
}

/** The form's "SSH" part: off by default; on, the user's keys open it, and the extra keys typed here. */
export function SshSection({ model, trans }: SectionProps) {
  const { values, errors } = model;
  return (
    <fieldset className="aiplat-form-section" data-testid="aiplat-devmachine-ssh">
      <legend>{trans.__('SSH')}</legend>
      <label className="aiplat-form-check">
        <input
          type="checkbox"
          data-testid="aiplat-field-sshEnabled"
          checked={values.sshEnabled}
          onChange={(e) => model.update({ sshEnabled: e.target.checked })}
        />
        {trans.__('Enable SSH access (your SSH keys open it)')}
      </label>
      {values.sshEnabled && (
        <>
          <CodeField
            label={trans.__('Extra public keys')}
            hint={trans.__('optional: public keys for this machine only, one a line (e.g. a teammate’s .pub)')}
            rows={3}
            field="sshPublicKeys"
            errors={errors}
            value={values.sshPublicKeys}
            onChange={(sshPublicKeys) => model.update({ sshPublicKeys })}
          />
          <FieldProblems field="ssh" errors={errors} />
        </>
      )}
    </fieldset>
  );
}

/** The form's "Repositories" part: up to `DEV_MACHINE_MAX_REPOSITORIES` rows, each cloned at the first start. */
export function RepositoriesSection({ model, trans }: SectionProps) {
  const { values, errors } = model;
  const rows = values.repositories;
  const full = rows.length >= DEV_MACHINE_MAX_REPOSITORIES;
  const credentials: (readonly [string, string])[] = [
    ['', trans.__('None (public)')],
    ...model.credentialNames.map((n) => [n, n] as const),
  ];
  return (
    <fieldset className="aiplat-form-section" data-testid="aiplat-devmachine-repositories">
      <legend>{trans.__('Repositories')}</legend>
      <div className="aiplat-form-hint">
        {trans.__('Cloned into the working folder at the first start, at most %1.', DEV_MACHINE_MAX_REPOSITORIES)}
      </div>
      {rows.map((row, i) => (
        <div
          className="aiplat-form-row aiplat-devMachine-repository"
          key={i}
          data-testid={`aiplat-repository-row-${i}`}
        >
          <InputField
            label={trans.__('URL')}
            hint={
              row.url.trim()
                ? trans.__('cloned into %1/%2', values.workingDir.trim(), gitRepositoryFolder(row.url.trim()))
                : trans.__('e.g. https://github.com/owner/repo.git or git@host:owner/repo.git')
            }
            field={repositoryField(i, 'url')}
            errors={errors}
            value={row.url}
            onChange={(url) => model.updateRepository(i, { url })}
          />
          <InputField
            label={trans.__('Branch')}
            hint={trans.__('empty: the default branch')}
            field={repositoryField(i, 'branch')}
            errors={errors}
            value={row.branch}
            onChange={(branch) => model.updateRepository(i, { branch })}
          />
          <SelectField<string>
            label={trans.__('Credential')}
            field={repositoryField(i, 'credential')}
            errors={errors}
            value={row.credential}
            onChange={(credential) => model.updateRepository(i, { credential })}
            options={credentials}
          />
          <button
            type="button"
            className="jp-mod-styled aiplat-devMachine-repositoryRemove"
            data-testid={`aiplat-repository-remove-${i}`}
            title={trans.__('Remove this repository')}
            onClick={() => model.removeRepository(i)}
          >
            {trans.__('Remove')}
          </button>
        </div>
      ))}
      <FieldProblems field="repositories" errors={errors} />
      <div className="aiplat-form-actions">
        <button
          type="button"
          className="jp-mod-styled"
          data-testid="aiplat-repository-add"
          disabled={full}
          title={full ? trans.__('A dev machine clones at most %1 repositories.', DEV_MACHINE_MAX_REPOSITORIES) : ''}
          onClick={() => model.addRepository()}
        >
          {trans.__('Add repository')}
        </button>
        {full && (
          <span className="aiplat-form-hint" data-testid="aiplat-repository-full">
            {trans.__('A dev machine clones at most %1 repositories.', DEV_MACHINE_MAX_REPOSITORIES)}
          </span>
        )}
      </div>
    </fieldset>
  );
}
