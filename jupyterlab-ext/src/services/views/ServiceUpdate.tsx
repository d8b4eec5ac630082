import type { Service } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { FormProblems } from '../../training/views/FormActions.js';
import { InputField } from '../../training/views/FormField.js';
import type { ImageChoices } from '../../images/model/imageListModel.js';
import type { ServiceUpdateModel, UpdatePart } from '../model/serviceUpdateModel.js';
import { binder, CallersSection, FolderFields, SHOWN_FIELDS, VersionSections } from './serviceFormSections.js';

export interface ServiceUpdateProps {
  update: ServiceUpdateModel;
  service: Service;
  trans: TranslationBundle;
  /** The catalog's images, offered in the image field. */
  images?: ImageChoices | undefined;
}

/**
 * One part's button: held back until the part differs from the service and its fields are fine, and
 * for good once the service is deleted.
 */
function PartButton({
  update,
  part,
  label,
  busyLabel,
}: {
  update: ServiceUpdateModel;
  part: UpdatePart;
  label: string;
  busyLabel: string;
}) {
  const problems = update.problemsOf(part).length + (part === 'version' ? update.problemsOf('scale').length : 0);
  const busy = update.busy && update.sentPart === part;
  return (
    <div className="aiplat-form-actions">
      <button
        className="jp-mod-styled jp-mod-accept"
        data-testid={`aiplat-service-update-${part}`}
        disabled={update.deleted || update.busy || problems > 0 || !update.differs(part)}
        onClick={() => void update.apply(part)}
      >
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}

/**
 * A service's update form, prefilled from it: scale the serving version, roll out a new version
 * (the serving one answers until it is ready), change who may call and the limits.
 */
export function ServiceUpdate({ update, service, trans, images }: ServiceUpdateProps) {
  const { errors } = update;
  const bind = binder(update);
  const next = Math.max(...service.versions.map((v) => v.version)) + 1;
  return (
    <div className="aiplat-form aiplat-serviceForm aiplat-serviceUpdate" data-testid="aiplat-service-update">
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Scale')}</legend>
        <div className="aiplat-form-row">
          <InputField
            label={trans.__('Replicas')}
            hint={trans.__('of the serving version; a new version starts with as many')}
            {...bind('replicas')}
          />
        </div>
        <PartButton update={update} part="scale" label={trans.__('Scale')} busyLabel={trans.__('Scaling…')} />
      </fieldset>
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('New version')}</legend>
        <p className="aiplat-form-hint">
          {trans.__(
            'Version %1 is rolled out while version %2 keeps serving until it is ready.',
            next,
            service.version,
          )}
        </p>
        <FolderFields form={update} trans={trans} />
        <VersionSections form={update} trans={trans} images={images} replicas={false} />
        <PartButton
          update={update}
          part="version"
          label={trans.__('Roll out version %1', next)}
          busyLabel={trans.__('Rolling out…')}
        />
      </fieldset>
      <CallersSection form={update} trans={trans}>
        <InputField label={trans.__('Description')} {...bind('description')} />
        <PartButton update={update} part="settings" label={trans.__('Save')} busyLabel={trans.__('Saving…')} />
      </CallersSection>
      <FormProblems
        errors={errors}
        generalErrors={update.generalErrors}
        shown={SHOWN_FIELDS}
        testId="aiplat-service-update-error"
      />
      <div className="aiplat-form-actions">
        <button
          className="jp-mod-styled"
          data-testid="aiplat-service-update-reset"
          disabled={update.deleted || update.busy}
          onClick={() => update.reset(service)}
        >
          {trans.__('Reset to the service')}
        </button>
      </div>
    </div>
  );
}
