import React, { useEffect, useState } from 'react';
import { ApiClient, OriginalList, useQueryParams, type ActionProps } from 'adminjs';
import { Box, Label, Text } from '@adminjs/design-system';

const api = new ApiClient();
const SIZES = [10, 25, 50, 100] as const;
const DEFAULT_SIZE = 10;
// The person's choice, read once per page load and kept as they change it.
let remembered: Promise<number | null> | null = null;

function rememberedSize(): Promise<number | null> {
  remembered ??= api
    .resourceAction({ resourceId: 'records', actionName: 'rememberPageSize' })
    .then((response) => (response.data as { perPage?: number | null }).perPage ?? null)
    .catch(() => null);
  return remembered;
}

/**
 * Every console list (AdminJS's own list, unchanged) with "Rows per page" under it: 10, 25, 50 or
 * 100, remembered for the signed-in person on the server (the list applies it to requests without
 * `perPage`, which is what AdminJS's pagination sends).
 */
const ListWithPageSize: React.FC<ActionProps> = (props) => {
  const { storeParams } = useQueryParams();
  const fromUrl = Number(new URLSearchParams(window.location.search).get('perPage'));
  const [chosen, setChosen] = useState<number | null>(null);
  useEffect(() => {
    let current = true;
    void rememberedSize().then((size) => current && setChosen(size));
    return () => {
      current = false;
    };
  }, []);
  const shown = (SIZES as readonly number[]).includes(fromUrl) ? fromUrl : (chosen ?? DEFAULT_SIZE);
  const choose = async (size: number) => {
    setChosen(size);
    remembered = Promise.resolve(size);
    await api.resourceAction({
      resourceId: 'records',
      actionName: 'rememberPageSize',
      method: 'post',
      data: { perPage: String(size) },
    });
    storeParams({ page: '1', perPage: String(size) });
  };
  return (
    <>
      <OriginalList {...props} />
      <Box flex flexDirection="row" justifyContent="flex-end" alignItems="center" mt="lg" style={{ gap: 8 }}>
        <Label htmlFor="list-page-size" mb={0}>
          Rows per page
        </Label>
        <select
          id="list-page-size"
          data-testid="list-page-size"
          value={shown}
          onChange={(event) => void choose(Number(event.target.value))}
          style={{ padding: '4px 8px', borderRadius: 4, border: '1px solid #C0C0CA', background: 'white' }}
        >
          {SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
        <Text variant="sm" color="grey60">
          (kept for your lists)
        </Text>
      </Box>
    </>
  );
};

export default ListWithPageSize;
