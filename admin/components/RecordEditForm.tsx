import React, { useEffect } from 'react';
import { BasePropertyComponent, useRecord, useTranslation, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, DrawerContent, DrawerFooter, Label, MessageBox, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

/** The parts of AdminJS's parsed layout read here: the properties it names and a note's props. */
interface ParsedLayout {
  properties: string[];
  component: string;
  props: { message?: string };
  layoutElements: ParsedLayout[];
}

const namedIn = (layout: readonly ParsedLayout[]): string[] =>
  layout.flatMap((element) => [...element.properties, ...namedIn(element.layoutElements)]);

/**
 * A field's stored value as text: a reference by its title (the dataset's name), a list (tags) joined,
 * a key-value field (features) as "name: value" pairs, long text kept in its scrolling box.
 */
const ReadOnlyValue: React.FC<{ path: string; record: RecordJSON }> = ({ path, record }) => {
  const referenced = record.populated[path];
  if (referenced) return <Text>{referenced.title}</Text>;
  const nested = Object.entries(record.params).filter(([key]) => key.startsWith(`${path}.`));
  const value: unknown = record.params[path];
  if (nested.length === 0)
    return (
      <Text style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {value == null || value === '' ? '—' : String(value)}
      </Text>
    );
  const isList = nested.every(([key]) => /^\d+$/.test(key.slice(path.length + 1)));
  return isList ? (
    <Text>{nested.map(([, v]) => String(v)).join(', ')}</Text>
  ) : (
    <Box as="dl" style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 16, margin: 0 }}>
      {nested.map(([key, v]) => (
        <React.Fragment key={key}>
          <Text as="dt" color="grey60">
            {key.slice(path.length + 1)}
          </Text>
          <Text as="dd" style={{ margin: 0 }}>
            {v == null || v === '' ? '—' : String(v)}
          </Text>
        </React.Fragment>
      ))}
    </Box>
  );
};

/**
 * A record's edit form: the fields the role may change as inputs, every other field of the record
 * shown read-only in its place, so a data scientist relabelling a record sees the text or features
 * they are labelling. Which fields are editable is the action's layout (recordEditLayout, from the
 * same rule the service enforces); the save goes to the same edit action as AdminJS's own form.
 */
const RecordEditForm: React.FC<ActionProps> = (props) => {
  const { record: initialRecord, resource, action } = props;
  const { record, handleChange, submit, loading, setRecord } = useRecord(initialRecord, resource.id);
  const { translateButton, translateProperty } = useTranslation();
  const navigate = useNavigate();
  useEffect(() => {
    if (initialRecord) setRecord(initialRecord);
  }, [initialRecord]);
  const layout = (action.layout ?? []) as unknown as ParsedLayout[];
  const editable = new Set(layout.length > 0 ? namedIn(layout) : resource.editProperties.map((p) => p.propertyPath));
  const note = layout.find((element) => element.component === 'MessageBox')?.props.message;
  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    void submit().then((response) => {
      const url = response.data.redirectUrl;
      if (url) navigate(url.includes('?') ? `${url}&refresh=true` : `${url}?refresh=true`);
    });
  };
  return (
    <Box as="form" onSubmit={onSubmit} flex flexDirection="column" data-testid="record-edit-form">
      <DrawerContent>
        {note ? <MessageBox message={note} variant="info" mb="xl" /> : null}
        {resource.editProperties.map((property) =>
          editable.has(property.propertyPath) ? (
            <BasePropertyComponent
              key={property.propertyPath}
              where="edit"
              onChange={handleChange}
              property={property}
              resource={resource}
              record={record}
            />
          ) : (
            <Box
              key={property.propertyPath}
              mb="lg"
              p="md"
              style={{ background: '#F6F7FB', borderRadius: 4, maxHeight: 220, overflow: 'auto' }}
              data-testid={`property-readonly-${property.propertyPath}`}
            >
              <Label>{translateProperty(property.label, resource.id)}</Label>
              <ReadOnlyValue path={property.propertyPath} record={record} />
              <Text variant="xs" color="grey60" mt="sm">
                Read-only for your role.
              </Text>
            </Box>
          ),
        )}
      </DrawerContent>
      <DrawerFooter>
        <Button variant="contained" type="submit" data-testid="button-save" disabled={loading}>
          {translateButton('save', resource.id)}
        </Button>
      </DrawerFooter>
    </Box>
  );
};

export default RecordEditForm;
