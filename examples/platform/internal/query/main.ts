// query: serves eventhandler's projections over HTTP. It owns no table: under svcdb its
// QUERY_DATABASE_URL points at eventhandler's database (`databaseOf`), and it reads only through
// the shared projections module, as its `reads` declaration says.
import { HttpError, type Request, type Route } from '../shared/kit/http.js';
import { runService } from '../shared/kit/service.js';
import { getProjection, listProjections } from '../shared/projections/index.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

runService({
  name: 'query',
  defaultPort: 8081,
  routes: ({ sql }): Route[] => [
    {
      method: 'GET',
      pattern: '/api/v1/projections/:type/:aggregate_id',
      handler: async (req) => {
        const projection = await getProjection(sql, req.params.type, req.params.aggregate_id);
        if (!projection) throw new HttpError(404, `no ${req.params.type} projection for "${req.params.aggregate_id}"`);
        return { status: 200, body: projection };
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/projections/:type',
      handler: async (req) => {
        const page = pageOf(req);
        const { items, total } = await listProjections(sql, req.params.type, page);
        return { status: 200, body: { items, total, ...page } };
      },
    },
  ],
});

function pageOf(req: Request): { limit: number; offset: number } {
  const limit = integerParam(req, 'limit', DEFAULT_LIMIT);
  const offset = integerParam(req, 'offset', 0);
  if (limit < 1 || limit > MAX_LIMIT) throw new HttpError(400, `"limit" must be between 1 and ${MAX_LIMIT}`);
  if (offset < 0) throw new HttpError(400, '"offset" must not be negative');
  return { limit, offset };
}

function integerParam(req: Request, name: string, fallback: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new HttpError(400, `"${name}" must be an integer, got "${raw}"`);
  return Number(raw);
}
