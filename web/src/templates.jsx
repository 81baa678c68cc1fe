// RJSF templates: the default field layout plus each setting's platform support.
import { getTemplate, getUiOptions } from '@rjsf/utils';
import { PLATFORMS_KEY, PlatformSupport } from './support.jsx';

export function FieldTemplate(props) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, registry, uiSchema, schema } =
    props;
  const uiOptions = getUiOptions(uiSchema);
  const WrapIfAdditionalTemplate = getTemplate('WrapIfAdditionalTemplate', registry, uiOptions);
  if (hidden) {
    return <div className="hidden">{children}</div>;
  }
  // Checkboxes carry their own label.
  const isCheckbox = uiOptions.widget === 'checkbox' || schema.type === 'boolean';
  return (
    <WrapIfAdditionalTemplate {...props}>
      {displayLabel && !isCheckbox && label ? (
        <label htmlFor={id} className="control-label">
          {label}
          {required ? <span className="required">*</span> : null}
        </label>
      ) : null}
      <PlatformSupport annotation={schema[PLATFORMS_KEY]} />
      {displayLabel && description ? description : null}
      {children}
      {errors}
      {help}
    </WrapIfAdditionalTemplate>
  );
}
