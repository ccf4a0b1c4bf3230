/**
 * QWC files: what the bookkeeper opens in QuickBooks Web Connector to register an
 * instance. Every element of the Programmer's Guide (Table 4-1 and "What's New").
 */
import { escapeText } from '../xml/escape';

export type QbType = 'QBFS' | 'QBPOS';
export type PersonalDataPref = 'pdpNotNeeded' | 'pdpOptional' | 'pdpRequired';
export type UnattendedModePref = 'umpRequired' | 'umpOptional';
export type SoapStyleName = 'Document' | 'DocWrapped' | 'RPC';

export interface QwcFields {
  AppName: string;
  AppID: string;
  AppURL: string;
  AppDescription: string;
  AppSupport: string;
  UserName: string;
  OwnerID: string;
  FileID: string;
  QBType: QbType;
  /** Exactly one of these, if any: QBWC takes the first when both are given. */
  RunEveryNMinutes?: number;
  RunEveryNSeconds?: number;
  IsReadOnly?: boolean;
  PersonalDataPref?: PersonalDataPref;
  UnattendedModePref?: UnattendedModePref;
  /** e.g. "0xF": 0x1 SimpleStart, 0x2 Pro, 0x4 Premier, 0x8 Enterprise; 0x0 all. */
  AuthFlags?: string;
  Notify?: boolean;
  AppDisplayName?: string;
  AppUniqueName?: string;
  CertURL?: string;
  Style?: SoapStyleName;
}

/**
 * Element order as in the Guide's listings (QBWC itself does not care about order).
 * Written as a template: xmlbuilder2 leaves text like "R&D;" unescaped (it takes it for an
 * entity reference), which would give the Web Connector a file it cannot read.
 */
export function buildQwc(f: QwcFields): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', '<QBWCXML>'];
  const add = (name: string, value: string | number | boolean | undefined, indent = '  ') => {
    if (value !== undefined) lines.push(`${indent}<${name}>${escapeText(String(value))}</${name}>`);
  };
  add('AppName', f.AppName);
  add('AppID', f.AppID);
  add('AppURL', f.AppURL);
  add('AppDescription', f.AppDescription);
  add('AppSupport', f.AppSupport);
  add('UserName', f.UserName);
  add('OwnerID', f.OwnerID);
  add('FileID', f.FileID);
  add('QBType', f.QBType);
  if (f.RunEveryNMinutes !== undefined || f.RunEveryNSeconds !== undefined) {
    lines.push('  <Scheduler>');
    if (f.RunEveryNMinutes !== undefined) add('RunEveryNMinutes', f.RunEveryNMinutes, '    ');
    else add('RunEveryNSeconds', f.RunEveryNSeconds, '    ');
    lines.push('  </Scheduler>');
  }
  add('IsReadOnly', f.IsReadOnly);
  add('PersonalDataPref', f.PersonalDataPref);
  add('UnattendedModePref', f.UnattendedModePref);
  add('AuthFlags', f.AuthFlags);
  add('Notify', f.Notify);
  add('AppDisplayName', f.AppDisplayName);
  add('AppUniqueName', f.AppUniqueName);
  add('CertURL', f.CertURL);
  add('Style', f.Style);
  lines.push('</QBWCXML>');
  return lines.join('\n') + '\n';
}
