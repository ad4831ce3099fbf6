import { makeGraph, makeNode, makeTensor, makeValueInfo, type Attr, type ElemType } from './builder.ts';
import type { GraphMsg, NodeMsg, TensorMsg, ValueInfoMsg } from './onnx-proto.ts';

/**
 * Accumulates the nodes and initializers of one (sub)graph with deterministic names: node
 * `<scope>/<OpType>_<n>` (n counts nodes in emission order), outputs `<node>:<i>` unless named.
 * Emission order is the topological order, so the same calls always give the same bytes.
 */
export class GraphBuilder {
  private readonly nodes: NodeMsg[] = [];
  private readonly inits: TensorMsg[] = [];
  private readonly initNames = new Set<string>();
  private count = 0;

  /** `scope` prefixes node names (use distinct scopes for a graph and its subgraphs). */
  constructor(readonly scope: string) {}

  /**
   * Emit one node and return its output names. `outputs` is either a count (auto-named outputs)
   * or explicit names (graph outputs, or '' for an unused optional output).
   */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, outputs: number | readonly string[] = 1): string[] {
    const name = `${this.scope}/${opType}_${this.count++}`;
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${name}:${i}`) : [...outputs];
    this.nodes.push(makeNode(opType, inputs, outs, name, attrs));
    return outs;
  }

  /** Emit a single-output node and return its output name. */
  op1(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, output?: string): string {
    return this.op(opType, inputs, attrs, output === undefined ? 1 : [output])[0]!;
  }

  /** Nodes emitted so far: node `<scope>/<OpType>_<n>` has n < nodeCount (callers mark ranges, e.g. for profiles). */
  get nodeCount(): number {
    return this.count;
  }

  /** Add an initializer (name must be unique in the graph) and return its name. */
  init(name: string, type: ElemType, dims: readonly number[], data: ArrayLike<number>): string {
    if (this.initNames.has(name)) throw new RangeError(`GraphBuilder(${this.scope}): initializer "${name}" defined twice.`);
    this.initNames.add(name);
    this.inits.push(makeTensor(name, type, dims, data));
    return name;
  }

  /** Finish the graph with its declared inputs and outputs. */
  build(name: string, inputs: ValueInfoMsg[], outputs: ValueInfoMsg[], docString?: string): GraphMsg {
    const parts = { name, nodes: [...this.nodes], initializers: [...this.inits], inputs, outputs };
    return makeGraph(docString === undefined ? parts : { ...parts, docString });
  }
}

/** Re-export for graph modules: declare an input/output value. */
export { makeValueInfo };
