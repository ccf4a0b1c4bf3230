/**
 * Reads the status of every response element (`…Rs`) of a qbXML response as it streams
 * past: requestID, statusCode/Severity/Message and iterator attributes. Record content
 * is left to whoever else listens (see ResponseIngest).
 */
import type { ResponseResult } from '../store/types';
import type { Attributes, XmlHandler } from '../xml/tokenizer';

const int = (v: string | undefined): number | undefined => {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return undefined;
  return Number(v);
};

export function responseResult(type: string, attrs: Attributes): ResponseResult {
  const r: ResponseResult = { type };
  if (attrs.requestID !== undefined) r.requestID = attrs.requestID;
  const code = int(attrs.statusCode);
  if (code !== undefined) r.statusCode = code;
  if (attrs.statusSeverity !== undefined) r.statusSeverity = attrs.statusSeverity;
  if (attrs.statusMessage !== undefined) r.statusMessage = attrs.statusMessage;
  const ret = int(attrs.retCount);
  if (ret !== undefined) r.retCount = ret;
  const remaining = int(attrs.iteratorRemainingCount);
  if (remaining !== undefined) r.iteratorRemainingCount = remaining;
  if (attrs.iteratorID !== undefined) r.iteratorID = attrs.iteratorID;
  return r;
}

export class ResponseScanner implements XmlHandler {
  readonly results: ResponseResult[] = [];
  private depth = 0;

  startElement(name: string, attrs: Attributes): void {
    this.depth++;
    // QBXML > QBXMLMsgsRs > …Rs
    if (this.depth === 3 && name.endsWith('Rs')) this.results.push(responseResult(name, attrs));
  }

  endElement(): void {
    this.depth--;
  }

  text(): void {}
}
