import type { Service } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { bindField, InputField } from '../../training/views/FormField.js';
import { FormActions } from '../../training/views/FormActions.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import type { ImageChoices } from '../../images/model/imageListModel.js';
import type { ServiceFormModel, ServiceFormValues } from '../model/serviceFormModel.js';
import { CallersSection, FolderFields, SHOWN_FIELDS, VersionSections } from './serviceFormSections.js';

export interface ServiceFormProps {
  model: ServiceFormModel;
  trans: TranslationBundle;
  /** The catalog's images, offered in the image field. */
  images?: ImageChoices;
  onDeployed: (service: Service) => void;
}

function ServiceFormBody({ model, trans, images, onDeployed }: ServiceFormProps) {
  const { values, errors } = model;
  const update = (patch: Partial<ServiceFormValues>) => model.update(patch);
  const bind = <K extends keyof ServiceFormValues & string>(key: K) => bindField(values, errors, update, key);
  return (
    <form
      className="aiplat-form aiplat-serviceForm"
      data-testid="aiplat-service-form"
      onSubmit={(e) => {
        e.preventDefault();
        void model.deploy().then((service) => service && onDeployed(service));
      }}
    >
      <fieldset className="aiplat-form-section">
        <legend>{trans.__('Service')}</legend>
        <div className="aiplat-form-row">
          <InputField
            label={trans.__('Name')}
            hint={trans.__('lowercase letters, digits and -; called at /services/<name>/')}
            {...bind('name')}
          />
          <InputField label={trans.__('Description')} {...bind('description')} />
        </div>
        <FolderFields form={model} trans={trans} />
      </fieldset>
      <VersionSections form={model} trans={trans} images={images} />
      <CallersSection form={model} trans={trans} />
      <FormActions
        errors={errors}
        generalErrors={model.generalErrors}
        shown={SHOWN_FIELDS}
        busy={model.deploying}
        label={trans.__('Deploy')}
        busyLabel={trans.__('Deploying…')}
        testId="aiplat-service-deploy"
        errorTestId="aiplat-service-form-error"
      />
    </form>
  );
}

/** The deploy form of a service, in the main area. */
export class ServiceFormView extends ModelWidget<ServiceFormProps> {
  constructor(props: ServiceFormProps) {
    super(props, props.model.changed, ServiceFormBody, 'aiplat-service-form-view');
  }
}
