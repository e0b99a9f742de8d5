import type { Command } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import type { ServerMetricsSource } from '../pipeline/pipeline-options.js';

export interface ServerMetricsFlags {
  prometheus?: boolean;
  prometheusUrl?: string;
  prometheusSelector?: string;
}

/** --prometheus / --prometheus-url / --prometheus-selector, the same on run, gate and chaos. */
export function withServerMetricsFlags(command: Command): Command {
  return command
    .option(
      '--prometheus',
      "start a Prometheus for the run: it scrapes every component and receives k6's metrics (remote write); its TSDB stays in <out>/prometheus",
    )
    .option(
      '--prometheus-url <url>',
      "read the report's server series from this Prometheus (a cluster's own) by PromQL over the run's time range",
    )
    .option(
      '--prometheus-selector <matchers>',
      'with --prometheus-url: label matchers that select the stack\'s series, e.g. namespace="llm"',
    );
}

export function serverMetricsSource(flags: ServerMetricsFlags): ServerMetricsSource {
  if (flags.prometheus && flags.prometheusUrl)
    throw new UserFacingError('give either --prometheus (start one) or --prometheus-url (use one), not both');
  if (flags.prometheusSelector !== undefined && !flags.prometheusUrl)
    throw new UserFacingError('--prometheus-selector applies to --prometheus-url only');
  if (flags.prometheus) return { kind: 'own-prometheus' };
  if (!flags.prometheusUrl) return { kind: 'scrape' };
  let url: URL;
  try {
    url = new URL(flags.prometheusUrl);
  } catch {
    throw new UserFacingError(
      `--prometheus-url: not a URL: "${flags.prometheusUrl}" (e.g. http://127.0.0.1:9090)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserFacingError(`--prometheus-url: must be http:// or https:// (got ${url.protocol})`);
  const selector = flags.prometheusSelector ?? '';
  if (/[{}]/.test(selector))
    throw new UserFacingError(
      '--prometheus-selector: matchers without braces, e.g. namespace="llm",job="gateway"',
    );
  return { kind: 'prometheus', url: url.toString().replace(/\/$/, ''), selector };
}
