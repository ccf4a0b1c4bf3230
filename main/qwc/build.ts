/**
 * QWC files: what the bookkeeper opens in QuickBooks Web Connector to register an
 * instance. Every element of the Programmer's Guide (Table 4-1 and "What's New").
 */
import { create } from 'xmlbuilder2';

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

/** Element order as in the Guide's listings (QBWC itself does not care about order). */
export function buildQwc(f: QwcFields): string {
  const root = create({ version: '1.0', encoding: 'utf-8' }).ele('QBWCXML');
  const add = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) root.ele(name).txt(String(value));
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
    const scheduler = root.ele('Scheduler');
    if (f.RunEveryNMinutes !== undefined) scheduler.ele('RunEveryNMinutes').txt(String(f.RunEveryNMinutes));
    else scheduler.ele('RunEveryNSeconds').txt(String(f.RunEveryNSeconds));
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
  // Empty elements written out in full (<AppID></AppID>), as in Intuit's sample QWC files.
  return root.end({ prettyPrint: true, indent: '  ', allowEmptyTags: true }) + '\n';
}
