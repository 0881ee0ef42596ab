/** Helpers of the KPI dashboard's browser tests (not exported from the package). */
import type { Locator, Page } from 'playwright-core';

/** The number a tile shows ("1 234" → 1234). */
export const tileNumber = (text: string): number => Number(text.replace(/\s/g, ''));

/** The value of the dashboard's tile labelled `label` (its `<output>`). */
export const dashboardTile = (page: Page, label: string): Locator =>
  page.getByRole('region', { name: label, exact: true }).locator('output');
