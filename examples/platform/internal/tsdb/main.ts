// tsdb: stores sensor readings as a time series. Owns sensor_readings and its dlq.
import { jsonValue } from '../shared/kit/db.js';
import { HttpError } from '../shared/kit/http.js';
import { inboxRoute } from '../shared/kit/inbox.js';
import { runService } from '../shared/kit/service.js';
import { latestReadings, storeReading } from './readings.js';

runService({
  name: 'tsdb',
  defaultPort: 8084,
  routes: ({ sql, log }) => [
    inboxRoute(
      {
        process: (event) => storeReading(sql, event),
        deadLetter: async (event, eventId, error) => {
          await sql`
            insert into dlq (event_id, event, error)
            values (${eventId}, ${sql.json(jsonValue(event))}, ${error})`;
        },
      },
      log,
    ),
    {
      method: 'GET',
      pattern: '/api/v1/readings/:sensor_id',
      handler: async (req) => {
        const raw = req.query.get('limit') ?? '100';
        const limit = Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, '"limit" must be between 1 and 1000');
        return { status: 200, body: { items: await latestReadings(sql, req.params.sensor_id, limit) } };
      },
    },
  ],
});
