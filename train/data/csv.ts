import { IsovaeError } from '../../core/errors.ts';

/** One CSV record with the 1-based line on which it starts. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Parse RFC 4180 CSV text: fields separated by `,`, records by CRLF or LF; a field may be enclosed in
 * double quotes, inside which `""` is a quote and commas/newlines are literal. A quote inside an
 * unquoted field, text after a closing quote, or an unterminated quoted field is an
 * `IsovaeError('E_DATA_FORMAT')` naming `file:line`. Blank lines yield records with `fields = ['']`
 * (the caller decides what they mean). A final line break does not start a record.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const recLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const openLine = line;
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new IsovaeError('E_DATA_FORMAT', `${file}:${openLine}: quoted field never closed (missing closing "); check the quoting of this row.`);
          const chunk = text.slice(i, q);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          field += chunk;
          i = q + 1;
          if (text[i] === '"') { field += '"'; i++; continue; }
          break;
        }
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
          throw new IsovaeError('E_DATA_FORMAT', `${file}:${line}: unexpected ${JSON.stringify(next)} after a closing quote; a quote inside a field must be doubled ("").`);
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') throw new IsovaeError('E_DATA_FORMAT', `${file}:${line}: a quote (") inside an unquoted field; enclose the field in quotes and double inner quotes.`);
          i++;
        }
        field = text.slice(start, i);
      }
      fields.push(field);
      if (text[i] === ',') { i++; continue; }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') { i++; line++; }
    out.push({ fields, line: recLine });
  }
  return out;
}
