import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';

type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type Region = Json<'/v1/admin/regions/{id}', 'get'>;
export type TaxRate = Json<'/v1/admin/tax-rates/{id}', 'get'>;
export type ShippingOption = Json<'/v1/admin/shipping-options/{id}', 'get'>;
export type ShippingPrice = ShippingOption['price'];
export type Preview = Json<'/v1/admin/regions/{id}/preview', 'post'>;

export const regionKeys = {
  regions: ['settings', 'regions'] as const,
  taxRates: ['settings', 'tax-rates'] as const,
  options: (regionId: string) => ['settings', 'regions', regionId, 'shipping-options'] as const,
  locations: ['inventory', 'locations'] as const,
};

export function useRegions() {
  return useQuery({
    queryKey: regionKeys.regions,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/regions', { signal })).data.data,
  });
}

export function useTaxRates() {
  return useQuery({
    queryKey: regionKeys.taxRates,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/tax-rates', { signal })).data.data,
  });
}

export function useShippingOptions(regionId: string) {
  return useQuery({
    queryKey: regionKeys.options(regionId),
    queryFn: async ({ signal }) =>
      (await api.GET('/v1/admin/regions/{id}/shipping-options', { params: { path: { id: regionId } }, signal })).data
        .data,
  });
}

export function useLocations() {
  return useQuery({
    queryKey: regionKeys.locations,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/inventory/locations', { signal })).data.data,
  });
}

/** "DE, at" → ["DE", "AT"]; undefined when one is not two letters. */
export function parseCountries(text: string): string[] | undefined {
  const codes = text
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  return codes.every((c) => /^[A-Z]{2}$/.test(c)) ? [...new Set(codes)] : undefined;
}

/** 19000 → "19"; 7500 → "7.5" (the API's rates are thousandths of a percent). */
export const percent = (rate: number) => String(rate / 1000);

/** "19" / "7,5" → 19000 / 7500, or undefined. */
export function parsePercent(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,3})?$/.test(t)) return undefined;
  const [whole = '0', frac = ''] = t.split('.');
  const rate = Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
  return rate <= 100_000 ? rate : undefined;
}
