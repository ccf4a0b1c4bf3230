export { type ParsedRequest, parseRequestElement, parseRequestElements } from './request';
export {
  type ParsedResponse,
  type ParsedRs,
  QbxmlResponseParser,
  type RecordSink,
  type ResponseParserOptions,
  type RsInfo,
  parseResponse,
} from './response';
export { QbxmlParseError } from './reader';
