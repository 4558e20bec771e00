/**
 * Event-loop delay sampling interval, ms: prom-client's default, pinned. nodejs_eventloop_lag_*
 * and the probe threads' own figures count it in (a tick due every 10 ms that came at +13 ms
 * reads 13 ms): the exporter dashboard's event-loop panel and the bench subtract it.
 */
export const EVENT_LOOP_SAMPLING_MS = 10;
