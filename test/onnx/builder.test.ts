import { describe, expect, it } from 'vitest';
import { attr, encodeModel, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo } from '../../onnx/builder.ts';
import { onnxProto } from '../../onnx/onnx-proto.ts';

describe('ONNX builder', () => {
  it('writes little-endian raw_data', () => {
    // IEEE-754 float32 1.0 = 0x3f800000 and -2.0 = 0xc0000000, stored low byte first.
    expect([...makeTensor('f', 'float32', [2], [1, -2]).rawData]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
    expect([...makeTensor('i', 'int32', [], [258]).rawData]).toEqual([2, 1, 0, 0]);
    expect([...makeTensor('l', 'int64', [1], [-1]).rawData]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expect(makeTensor('l', 'int64', [1], [7]).dataType).toBe(7);
  });

  it('checks element counts and dims', () => {
    expect(() => makeTensor('w', 'float32', [2, 3], [1, 2, 3])).toThrow(/"w".*3 values.*need 6/);
    expect(() => makeTensor('w', 'float32', [-1], [])).toThrow(RangeError);
  });

  it('sorts attributes by name and keeps explicit kinds', () => {
    const n = makeNode('ArgMax', ['x'], ['y'], 'n0', { select_last_index: attr.int(0), axis: attr.int(1), keepdims: attr.int(0) });
    expect(n.attribute.map((a) => a.name)).toEqual(['axis', 'keepdims', 'select_last_index']);
    expect(n.attribute.every((a) => a.type === 2)).toBe(true); // AttributeType.INT
    const f = makeNode('LeakyRelu', ['x'], ['y'], 'n1', { alpha: attr.float(1) });
    expect(f.attribute[0]).toMatchObject({ type: 1, f: 1 }); // FLOAT even though 1 is an integer in JS
    expect(() => makeNode('X', [], [], 'n2', { k: attr.int(0.5) })).toThrow(TypeError);
  });

  it('round-trips a model through protobuf', () => {
    const g = makeGraph({
      name: 'g', nodes: [makeNode('Identity', ['x'], ['y'], 'id')], initializers: [],
      inputs: [makeValueInfo('x', 'float32', ['batch', 3])], outputs: [makeValueInfo('y', 'float32', ['batch', 3])],
    });
    const bytes = encodeModel(makeModel(g, { producerVersion: '0.0.0', metadata: { b: '2', a: '1' } }));
    const back = onnxProto.ModelProto.toObject(onnxProto.ModelProto.decode(bytes), { longs: Number }) as Record<string, any>;
    expect(back.irVersion).toBe(8);
    expect(back.opsetImport).toHaveLength(1);
    expect(back.opsetImport[0].version).toBe(17);
    expect(back.opsetImport[0].domain ?? '').toBe(''); // '' = the default ai.onnx domain
    expect(back.metadataProps.map((p: { key: string }) => p.key)).toEqual(['a', 'b']);
    expect(back.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 3 }]);
  });
});
