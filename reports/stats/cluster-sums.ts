/**
 * Sums over clusters of correlated values (the inter-token gaps of one stream), enough to estimate how much
 * the correlation inside a cluster shrinks the information in the pooled values: one-way ANOVA's
 * intraclass correlation and Kish's design effect. Additive, so slices merge by adding their sums.
 */
export interface ClusterSums {
  /** Clusters (streams) with at least one value. */
  clusters: number;
  /** Values over all clusters (gaps). */
  values: number;
  /** Σ m_i², m_i the size of cluster i. */
  sizeSquares: number;
  /** Σ x over every value. */
  sum: number;
  /** Σ x² over every value. */
  sumSquares: number;
  /** Σ (Σ_i x)² / m_i: the between-cluster part of the sum of squares. */
  clusterMeanSquares: number;
}

export function emptyClusterSums(): ClusterSums {
  return { clusters: 0, values: 0, sizeSquares: 0, sum: 0, sumSquares: 0, clusterMeanSquares: 0 };
}

/** Adds one cluster given its size, sum and sum of squares. */
export function addCluster(into: ClusterSums, size: number, sum: number, sumSquares: number): void {
  if (size <= 0) return;
  into.clusters++;
  into.values += size;
  into.sizeSquares += size * size;
  into.sum += sum;
  into.sumSquares += sumSquares;
  into.clusterMeanSquares += (sum * sum) / size;
}

export function addClusterSums(into: ClusterSums, from: ClusterSums): void {
  into.clusters += from.clusters;
  into.values += from.values;
  into.sizeSquares += from.sizeSquares;
  into.sum += from.sum;
  into.sumSquares += from.sumSquares;
  into.clusterMeanSquares += from.clusterMeanSquares;
}

export interface DesignEffect {
  /** Intraclass correlation, clamped to [0, 1]. */
  icc: number;
  /** 1 + (m̄ - 1)·icc, m̄ the size-weighted mean cluster size: how many pooled values are worth one. */
  effect: number;
  /** values / effect, never more than the values nor fewer than the clusters. */
  effectiveN: number;
}

/**
 * The ANOVA estimator of the intraclass correlation for unequal cluster sizes, and the design effect it
 * implies. With fewer than two clusters nothing can be estimated, so the values count as one cluster
 * (icc 1): the conservative answer.
 */
export function designEffect(s: ClusterSums): DesignEffect {
  const { clusters: k, values: n } = s;
  if (n === 0) return { icc: 1, effect: 1, effectiveN: 0 };
  const meanSize = s.sizeSquares / n;
  if (k < 2 || n <= k) return { icc: 1, effect: Math.max(1, meanSize), effectiveN: Math.min(n, k) };
  const between = (s.clusterMeanSquares - (s.sum * s.sum) / n) / (k - 1);
  const within = (s.sumSquares - s.clusterMeanSquares) / (n - k);
  const m0 = (n - s.sizeSquares / n) / (k - 1);
  const denominator = between + (m0 - 1) * within;
  const raw = denominator > 0 ? (between - within) / denominator : 0;
  const icc = Math.min(1, Math.max(0, raw));
  const effect = 1 + (meanSize - 1) * icc;
  return { icc, effect, effectiveN: Math.max(k, Math.min(n, n / effect)) };
}
