import protobuf from 'protobufjs';

/**
 * Protocol-buffer text format (what Triton's `config.pbtxt` is) over protobufjs reflection:
 * `formatTextProto` writes a message, `parseTextProto` reads one strictly against its `Type`.
 * The parser rejects unknown fields, wrong value kinds (a string where an int is due, a float in an
 * int field, an out-of-range integer), unknown enum names, a singular field set twice and two
 * members of one oneof, naming the line. Maps and `Any` are not supported (our configs use neither).
 */

/** A parsed or to-be-written message: field name -> value (arrays for repeated fields). */
export type TextMessage = { [field: string]: TextValue | TextValue[] };
export type TextValue = string | number | boolean | TextMessage;

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1], sint32: [-(2 ** 31), 2 ** 31 - 1], sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1], fixed32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], sint64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], sfixed64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER], fixed64: [0, Number.MAX_SAFE_INTEGER],
};

/** Write `msg` (of message type `type`) as text format, fields in the order the schema declares them, two-space indent. */
export function formatTextProto(type: protobuf.Type, msg: TextMessage, indent = ''): string {
  const lines: string[] = [];
  for (const field of type.fieldsArray) {
    const v = msg[field.name];
    if (v === undefined) continue;
    field.resolve();
    const one = (x: TextValue, pad: string): string => {
      if (field.resolvedType instanceof protobuf.Type) return `{\n${formatTextProto(field.resolvedType, x as TextMessage, `${pad}  `)}${pad}}`;
      if (typeof x === 'string') return field.resolvedType instanceof protobuf.Enum ? x : JSON.stringify(x);
      return String(x);
    };
    if (field.repeated) {
      const list = v as TextValue[];
      if (field.resolvedType instanceof protobuf.Type) {
        lines.push(`${indent}${field.name} [\n${list.map((x) => `${indent}  ${one(x, `${indent}  `)}`).join(',\n')}\n${indent}]`);
      } else {
        lines.push(list.length === 0 ? `${indent}${field.name}: [ ]` : `${indent}${field.name}: [ ${list.map((x) => one(x, indent)).join(', ')} ]`);
      }
    } else if (field.resolvedType instanceof protobuf.Type) {
      lines.push(`${indent}${field.name} ${one(v as TextValue, indent)}`);
    } else {
      lines.push(`${indent}${field.name}: ${one(v as TextValue, indent)}`);
    }
  }
  // verify the output against the schema before anyone writes it to disk
  const text = lines.map((l) => `${l}\n`).join('');
  if (indent === '') parseTextProto(type, text, '(formatted)');
  return text;
}

interface Token {
  kind: 'ident' | 'number' | 'string' | 'punct';
  text: string;
  value: string | number;
  line: number;
}

function tokenize(text: string, where: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') { line++; i++; continue; }
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if ('{}[]:,;<>'.includes(ch)) { out.push({ kind: 'punct', text: ch, value: ch, line }); i++; continue; }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== ch) {
        if (text[j] === '\n') throw new SyntaxError(`${where}:${line}: unterminated string.`);
        if (text[j] === '\\') {
          const e = text[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
          if (e === undefined || map[e] === undefined) throw new SyntaxError(`${where}:${line}: unsupported escape \\${e ?? ''} in a string.`);
          s += map[e];
          j += 2;
        } else s += text[j++];
      }
      if (j >= text.length) throw new SyntaxError(`${where}:${line}: unterminated string.`);
      out.push({ kind: 'string', text: text.slice(i, j + 1), value: s, line });
      i = j + 1;
      continue;
    }
    const num = /^-?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[fF]?/.exec(text.slice(i));
    if (num && (ch === '-' || ch === '.' || /\d/.test(ch))) {
      out.push({ kind: 'number', text: num[0], value: Number(num[0].replace(/[fF]$/, '')), line });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (id) { out.push({ kind: 'ident', text: id[0], value: id[0], line }); i += id[0].length; continue; }
    throw new SyntaxError(`${where}:${line}: unexpected character ${JSON.stringify(ch)}.`);
  }
  return out;
}

/**
 * Parse text-format `text` as a message of `type`, strictly (see the module comment). `where`
 * names the source in errors (`file:line: ...`). Returns field name -> value(s).
 */
export function parseTextProto(type: protobuf.Type, text: string, where = '(text)'): TextMessage {
  const toks = tokenize(text, where);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const fail = (msg: string, t: Token | undefined = peek()): never => {
    throw new SyntaxError(`${where}:${t?.line ?? 'end'}: ${msg}`);
  };
  const take = (punct?: string): Token => {
    const t = toks[p];
    if (!t) return fail(`unexpected end of input${punct ? `, expected "${punct}"` : ''}.`);
    if (punct !== undefined && !(t.kind === 'punct' && t.text === punct)) return fail(`expected "${punct}" but found "${t.text}".`, t);
    p++;
    return t;
  };
  const isPunct = (s: string): boolean => peek()?.kind === 'punct' && peek()!.text === s;

  const scalar = (field: protobuf.Field, path: string): TextValue => {
    const t = take();
    const rt = field.resolvedType;
    if (rt instanceof protobuf.Enum) {
      if (t.kind === 'ident' && t.text in rt.values) return t.text;
      if (t.kind === 'number' && Object.values(rt.values).includes(t.value as number)) return rt.valuesById[t.value as number]!;
      return fail(`${path}: "${t.text}" is not a value of enum ${rt.name} (${Object.keys(rt.values).join(', ')}).`, t);
    }
    const ft = field.type;
    if (ft === 'string' || ft === 'bytes') {
      if (t.kind !== 'string') return fail(`${path}: expected a quoted string, found ${t.text}.`, t);
      let s = t.value as string;
      while (peek()?.kind === 'string') s += take().value as string; // adjacent strings concatenate
      return s;
    }
    if (ft === 'bool') {
      if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
      return fail(`${path}: expected true or false, found ${t.text}.`, t);
    }
    if (ft === 'float' || ft === 'double') {
      if (t.kind === 'number') return t.value as number;
      if (t.kind === 'ident' && /^-?(inf|infinity|nan)$/i.test(t.text)) return Number(t.text.replace(/inf(inity)?/i, 'Infinity'));
      return fail(`${path}: expected a number, found ${t.text}.`, t);
    }
    const range = INT_RANGE[ft];
    if (!range) return fail(`${path}: field type ${ft} is not supported by this parser.`, t);
    if (t.kind !== 'number' || !/^-?\d+$/.test(t.text)) return fail(`${path}: expected an integer (${ft}), found ${t.text}.`, t);
    const v = t.value as number;
    if (v < range[0] || v > range[1]) return fail(`${path}: ${v} is out of range for ${ft}.`, t);
    return v;
  };

  const message = (mt: protobuf.Type, close: string | null, path: string): TextMessage => {
    const out: TextMessage = {};
    const oneofSet = new Map<string, string>();
    while (close === null ? peek() !== undefined : !isPunct(close)) {
      const nameTok = take();
      if (nameTok.kind !== 'ident') fail(`expected a field name, found "${nameTok.text}".`, nameTok);
      const field = mt.fields[nameTok.text];
      if (!field) return fail(`unknown field "${nameTok.text}" in ${mt.fullName.replace(/^\./, '')} (fields: ${Object.keys(mt.fields).join(', ')}).`, nameTok);
      field.resolve();
      const fpath = path ? `${path}.${field.name}` : field.name;
      if (!field.repeated && out[field.name] !== undefined) fail(`${fpath} is set twice (it is not repeated).`, nameTok);
      if (field.partOf) {
        const other = oneofSet.get(field.partOf.name);
        if (other !== undefined && other !== field.name) fail(`${fpath}: oneof ${field.partOf.name} already has ${other}.`, nameTok);
        oneofSet.set(field.partOf.name, field.name);
      }
      const isMsg = field.resolvedType instanceof protobuf.Type;
      const colon = isPunct(':');
      if (colon) take(':');
      else if (!isMsg) fail(`${fpath}: expected ":" after a scalar field name.`);
      const one = (): TextValue => {
        if (!isMsg) return scalar(field, fpath);
        const open = take();
        if (open.kind !== 'punct' || (open.text !== '{' && open.text !== '<')) return fail(`${fpath}: expected "{" to open a message.`, open);
        const v = message(field.resolvedType as protobuf.Type, open.text === '{' ? '}' : '>', fpath);
        take(open.text === '{' ? '}' : '>');
        return v;
      };
      if (isPunct('[')) {
        if (!field.repeated) fail(`${fpath} is not repeated; a list is not allowed.`);
        take('[');
        const list = (out[field.name] as TextValue[] | undefined) ?? [];
        while (!isPunct(']')) {
          list.push(one());
          if (!isPunct(']')) take(',');
        }
        take(']');
        out[field.name] = list;
      } else {
        const v = one();
        if (field.repeated) out[field.name] = [...((out[field.name] as TextValue[] | undefined) ?? []), v];
        else out[field.name] = v;
      }
      if (isPunct(',') || isPunct(';')) take();
    }
    return out;
  };

  return message(type, null, '');
}
