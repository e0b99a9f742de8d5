// Types for k6/x/disruptor as of xk6-disruptor v0.3.17 (its last release; archived). Read from the
// extension's pkg/api and pkg/disruptors sources: JS field names map to Go fields by upper-casing the first
// letter, so misspelled fields throw "unknown field". Importing the module needs a Kubernetes config
// (KUBECONFIG or ~/.kube/config): without one every VU fails with "error creating Kubernetes helper".

declare module 'k6/x/disruptor' {
  /** A Go duration string: '500ms', '30s', '1m30s'. Numbers are not accepted (the README's are stale). */
  export type Duration = string;

  /** A port number, or the name of a container port. */
  export type PortRef = number | string;

  export interface PodAttributes {
    labels?: Record<string, string>;
  }

  export interface PodSelector {
    /** Default: 'default'. */
    namespace?: string;
    select?: PodAttributes;
    exclude?: PodAttributes;
  }

  export interface PodDisruptorOptions {
    /** How long to wait for the agent container to be injected (default 30s; negative: do not wait). */
    injectTimeout?: Duration;
  }

  export type ServiceDisruptorOptions = PodDisruptorOptions;

  export interface HttpFault {
    /** Target port of the disrupted traffic (default: the pod's or service's port). */
    port?: PortRef;
    averageDelay?: Duration;
    delayVariation?: Duration;
    /** Fraction of requests, 0.0 to 1.0, answered with `errorCode`. */
    errorRate?: number;
    errorCode?: number;
    errorBody?: string;
    /** Comma-separated URL paths left alone. */
    exclude?: string;
  }

  export interface GrpcFault {
    port?: PortRef;
    averageDelay?: Duration;
    delayVariation?: Duration;
    /** Fraction of requests, 0.0 to 1.0, answered with `statusCode`. */
    errorRate?: number;
    statusCode?: number;
    statusMessage?: string;
    /** Comma-separated gRPC services left alone. */
    exclude?: string;
  }

  export interface ProtocolDisruptionOptions {
    /** Port the agent's proxy listens on inside the pod. */
    proxyPort?: number;
  }

  export interface NetworkFault {
    /** 0 or absent: all ports. */
    port?: number;
    /** Absent or '': all protocols. */
    protocol?: 'tcp' | 'udp' | 'icmp' | '';
  }

  export interface PodTerminationFault {
    /** How many targets to terminate: a number, or a percentage such as '50%'. */
    count: number | string;
    /** How long to wait for them to terminate. */
    timeout?: Duration;
  }

  interface Disruptor {
    /** Names of the pods the disruptor acts on. */
    targets(): string[];
    injectHTTPFaults(fault: HttpFault, duration: Duration, options?: ProtocolDisruptionOptions): void;
    injectGrpcFaults(fault: GrpcFault, duration: Duration, options?: ProtocolDisruptionOptions): void;
    /** v0.3.17 does not return the terminated pods. */
    terminatePods(fault: PodTerminationFault): void;
  }

  export class PodDisruptor implements Disruptor {
    constructor(selector: PodSelector, options?: PodDisruptorOptions);
    targets(): string[];
    injectHTTPFaults(fault: HttpFault, duration: Duration, options?: ProtocolDisruptionOptions): void;
    injectGrpcFaults(fault: GrpcFault, duration: Duration, options?: ProtocolDisruptionOptions): void;
    terminatePods(fault: PodTerminationFault): void;
    /** Drops traffic to the selected port/protocol with iptables in the pods (PodDisruptor only). */
    injectNetworkFaults(fault: NetworkFault, duration: Duration): void;
  }

  export class ServiceDisruptor implements Disruptor {
    constructor(service: string, namespace: string, options?: ServiceDisruptorOptions);
    targets(): string[];
    injectHTTPFaults(fault: HttpFault, duration: Duration, options?: ProtocolDisruptionOptions): void;
    injectGrpcFaults(fault: GrpcFault, duration: Duration, options?: ProtocolDisruptionOptions): void;
    terminatePods(fault: PodTerminationFault): void;
  }
}
