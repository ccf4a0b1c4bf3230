/**
 * The service's WSDL, generated from the method table: SOAP 1.1, document/literal
 * wrapped, target namespace http://developer.intuit.com/ — the shape QBWC's proxy was
 * generated from (Programmer's Guide ch.3 recommends exactly this WSDL-first contract).
 */
import { escapeAttribute } from '../../xml/escape';
import { QBWC_METHODS, QBWC_NAMESPACE, type MethodSpec, type QbwcMethod } from '../methods';

const XSD_TYPE = { string: 's:string', int: 's:int', stringArray: 'tns:ArrayOfString' } as const;

function schemaElements(name: string, spec: MethodSpec): string {
  const params = spec.params
    .map((p) => `<s:element minOccurs="${p.type === 'int' ? 1 : 0}" maxOccurs="1" name="${p.name}" type="${XSD_TYPE[p.type]}"/>`)
    .join('');
  const request = params ? `<s:complexType><s:sequence>${params}</s:sequence></s:complexType>` : '<s:complexType/>';
  const resultMin = spec.result === 'int' ? 1 : 0;
  return (
    `<s:element name="${name}">${request}</s:element>` +
    `<s:element name="${name}Response"><s:complexType><s:sequence>` +
    `<s:element minOccurs="${resultMin}" maxOccurs="1" name="${name}Result" type="${XSD_TYPE[spec.result]}"/>` +
    `</s:sequence></s:complexType></s:element>`
  );
}

export function buildWsdl(endpointUrl: string): string {
  const methods = Object.keys(QBWC_METHODS) as QbwcMethod[];
  const elements = methods.map((m) => schemaElements(m, QBWC_METHODS[m])).join('\n');
  const messages = methods
    .map(
      (m) =>
        `<wsdl:message name="${m}SoapIn"><wsdl:part name="parameters" element="tns:${m}"/></wsdl:message>\n` +
        `<wsdl:message name="${m}SoapOut"><wsdl:part name="parameters" element="tns:${m}Response"/></wsdl:message>`,
    )
    .join('\n');
  const portOps = methods
    .map((m) => `<wsdl:operation name="${m}"><wsdl:input message="tns:${m}SoapIn"/><wsdl:output message="tns:${m}SoapOut"/></wsdl:operation>`)
    .join('\n');
  const bindingOps = methods
    .map(
      (m) =>
        `<wsdl:operation name="${m}"><soap:operation soapAction="${QBWC_NAMESPACE}${m}" style="document"/>` +
        '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>',
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${QBWC_NAMESPACE}" targetNamespace="${QBWC_NAMESPACE}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">
<wsdl:types>
<s:schema elementFormDefault="qualified" targetNamespace="${QBWC_NAMESPACE}">
<s:complexType name="ArrayOfString"><s:sequence><s:element minOccurs="0" maxOccurs="unbounded" name="string" nillable="true" type="s:string"/></s:sequence></s:complexType>
${elements}
</s:schema>
</wsdl:types>
${messages}
<wsdl:portType name="QBWebConnectorSvcSoap">
${portOps}
</wsdl:portType>
<wsdl:binding name="QBWebConnectorSvcSoap" type="tns:QBWebConnectorSvcSoap">
<soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
${bindingOps}
</wsdl:binding>
<wsdl:service name="QBWebConnectorSvc">
<wsdl:port name="QBWebConnectorSvcSoap" binding="tns:QBWebConnectorSvcSoap"><soap:address location="${escapeAttribute(endpointUrl)}"/></wsdl:port>
</wsdl:service>
</wsdl:definitions>
`;
}
