import type { ActionContext, PageHandler } from 'adminjs';
import { dashboardOf, type DashboardSettings } from '../src/charts/dashboard.js';
import { actorOf } from './current-admin.js';

/** The console's home page: the signed-in role's tiles and charts, each tile a link to its list. */
export function dashboardHandler(settings: DashboardSettings): PageHandler {
  return async (request, _response, context) => {
    const actor = actorOf((context as ActionContext | undefined)?.currentAdmin);
    const query = (request as { query?: Record<string, unknown> } | undefined)?.query ?? {};
    const dashboard = await dashboardOf(actor, query, settings);
    return {
      ...dashboard,
      tiles: dashboard.tiles.map((tile) => ({ ...tile, href: `/admin/resources/${tile.resourceId}` })),
    };
  };
}
