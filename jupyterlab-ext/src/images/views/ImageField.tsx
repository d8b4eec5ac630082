import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { InputField } from '../../training/views/FormField.js';
import type { ImageChoice, ImageChoices } from '../model/imageListModel.js';
import { imageSourceLabel } from './imageLabels.js';

type InputFieldProps = React.ComponentProps<typeof InputField>;

/** What the list of suggestions says beside a reference: its source and description. */
function choiceLabel(choice: ImageChoice, trans: TranslationBundle): string {
  const source = imageSourceLabel(choice.source, trans);
  return choice.description ? `${source} · ${choice.description}` : source;
}

/**
 * An image field: free text, with the catalog's images offered as suggestions (a `<datalist>`),
 * kept up to date as the catalog changes.
 */
export function ImageField({
  images,
  trans,
  ...field
}: InputFieldProps & { images: ImageChoices | undefined; trans: TranslationBundle }) {
  if (!images) return <InputField {...field} />;
  return (
    <UseSignal signal={images.changed}>
      {() => <InputField {...field} choices={images.choices.map((c) => [c.ref, choiceLabel(c, trans)] as const)} />}
    </UseSignal>
  );
}
