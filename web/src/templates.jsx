// RJSF templates: the default layout plus each setting's platform support, shown under the
// label of a value and under the title of a section (an object such as `certificates`).
import { getDefaultRegistry } from '@rjsf/core';
import { englishStringTranslator, getTemplate, getUiOptions, TranslatableString } from '@rjsf/utils';
import { PLATFORMS_KEY, PlatformSupport } from './support.jsx';

const defaults = getDefaultRegistry().templates;

export function FieldTemplate(props) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, registry, uiSchema, schema } =
    props;
  const uiOptions = getUiOptions(uiSchema);
  const WrapIfAdditionalTemplate = getTemplate('WrapIfAdditionalTemplate', registry, uiOptions);
  if (hidden) {
    return <div className="hidden">{children}</div>;
  }
  // Checkboxes carry their own label; sections show their support under their title.
  const isCheckbox = uiOptions.widget === 'checkbox' || schema.type === 'boolean';
  const isSection = schema.type === 'object';
  return (
    <WrapIfAdditionalTemplate {...props}>
      {displayLabel && !isCheckbox && !isSection && label ? (
        <label htmlFor={id} className="control-label">
          {label}
          {required ? <span className="required">*</span> : null}
        </label>
      ) : null}
      {isSection ? null : <PlatformSupport annotation={schema[PLATFORMS_KEY]} />}
      {displayLabel && !isSection && description ? description : null}
      {children}
      {errors}
      {help}
    </WrapIfAdditionalTemplate>
  );
}

export function TitleFieldTemplate(props) {
  const DefaultTitle = defaults.TitleFieldTemplate;
  return (
    <>
      <DefaultTitle {...props} />
      {props.schema?.type === 'object' ? <PlatformSupport annotation={props.schema[PLATFORMS_KEY]} /> : null}
    </>
  );
}

/** RJSF's English strings, with the certificates map's key called what it is. */
export function translateString(str, params) {
  if (str === TranslatableString.KeyLabel) return 'Name';
  return englishStringTranslator(str, params);
}
