// ingestion: accepts events over HTTP and relays them, through its outbox, to the services that
// consume them. Owns event_store and outbox.
import { serviceUrl } from '../shared/kit/env.js';
import { runService } from '../shared/kit/service.js';
import { eventsRoute } from './api.js';
import { startRelay, type Relay } from './relay.js';

/** Who receives every event, when it runs (`<NAME>_URL` is set by `svcdb up`). */
const CONSUMERS = ['eventhandler', 'tsdb', 'actions'];

let relay: Relay | undefined;

runService({
  name: 'ingestion',
  defaultPort: 8080,
  routes: ({ sql, log }) => {
    const destinations = CONSUMERS.filter((name) => serviceUrl(name) !== null);
    log.info('relaying events', { destinations });
    return [eventsRoute(sql, destinations, () => relay?.wake())];
  },
  start: ({ sql, log }) => {
    relay = startRelay(sql, log);
    return () => relay!.stop();
  },
});
