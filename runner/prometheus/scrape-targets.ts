/** A component Prometheus should scrape, with the labels the dashboards and queries select on. */
export interface PrometheusTarget {
  role: string;
  id: string;
  node: string;
  /** The component's base URL; /metrics is scraped. */
  url: string;
}

/** One entry of Prometheus' file-based service discovery format. */
export interface FileSdGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * The file_sd document for the run's components. File discovery (not static_configs) because components
 * come and go during chaos and Prometheus rereads the file by itself, without a restart or reload call.
 */
export function fileSdGroups(runId: string, targets: readonly PrometheusTarget[]): FileSdGroup[] {
  return targets.map((t) => {
    const url = new URL(t.url);
    return {
      targets: [url.host],
      labels: {
        gauntlet_run: runId,
        role: t.role,
        component: t.id,
        node: t.node,
        ...(url.pathname !== '/' ? { __metrics_path__: `${url.pathname.replace(/\/$/, '')}/metrics` } : {}),
      },
    };
  });
}
