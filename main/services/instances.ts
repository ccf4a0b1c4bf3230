/** Company connections (instances): create, change, delete, and their QWC file. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { instanceCreateSchema, instancePatchSchema, instanceReplaceSchema, instanceSchema } from '../contract/schemas';
import { conflict, notFound } from '../errors';
import type { DomainEvents } from '../events';
import { keepMaskedSecrets, maskSecrets } from '../forward/destination';
import { buildQwc } from '../qwc/build';
import { type OpenFile, qwcFileName } from '../qwc/open';
import { generatePassword, hashPassword } from '../security/passwords';
import { newGuid } from '../security/tokens';
import type { Store } from '../store';
import type { Instance } from '../store/types';

export type InstanceResource = z.infer<typeof instanceSchema>;
type CreateInput = z.infer<typeof instanceCreateSchema>;
type ReplaceInput = z.infer<typeof instanceReplaceSchema>;
type PatchInput = z.infer<typeof instancePatchSchema>;

export interface InstanceServiceDeps {
  store: Store;
  events: DomainEvents;
  now: () => number;
  /**
   * What the Web Connector is told (QWC files, appUrl), e.g. http://localhost:8520: the
   * configured port, stable across restarts, even when the server took a temporary one.
   */
  publicBaseUrl: () => string;
  productName: string;
  /** Where QWC files opened in the Web Connector are saved (a folder in the data folder). */
  qwcDir: string;
  openFile: OpenFile;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class InstanceService {
  constructor(private readonly deps: InstanceServiceDeps) {}

  private get store(): Store {
    return this.deps.store;
  }

  appUrl(): string {
    return `${this.deps.publicBaseUrl()}/qbwc`;
  }

  toResource(i: Instance): InstanceResource {
    return {
      instanceId: i.id,
      name: i.name,
      username: i.username,
      qbdPath: i.qbdPath,
      frequencyInMinutes: i.frequencyMinutes,
      contact: i.contact,
      configuration: maskSecrets(i.configuration),
      fileId: i.fileId,
      ownerId: i.ownerId,
      appUrl: this.appUrl(),
      postponeSeconds: i.postponeSeconds,
      minRunEverySeconds: i.minRunEverySeconds,
      lingerSeconds: i.lingerSeconds,
      alternateCompanyFiles: i.alternateCompanyFiles,
      readOnly: i.readOnly,
      syncWindow: i.syncWindow,
      company: i.company ? { ...i.company, firstSeenAt: iso(i.company.firstSeenAt), lastSeenAt: iso(i.company.lastSeenAt) } : null,
      dateCreated: iso(i.createdAt),
      dateModified: iso(i.updatedAt),
    };
  }

  require(instanceId: string): Instance {
    const instance = this.store.instances.get(instanceId);
    if (!instance) throw notFound('instance', instanceId, 'instanceId');
    return instance;
  }

  list(): InstanceResource[] {
    return this.store.instances.list().map((i) => this.toResource(i));
  }

  /** Without a password, a strong one is generated and returned this once (only its hash is kept). */
  async create(input: CreateInput): Promise<InstanceResource & { password?: string }> {
    const generated = input.password === undefined ? generatePassword() : undefined;
    const passwordHash = await hashPassword(input.password ?? (generated as string));
    const now = this.deps.now();
    const instance: Instance = {
      id: randomUUID(),
      name: input.name,
      username: input.username,
      passwordHash,
      qbdPath: input.qbdPath || null,
      frequencyMinutes: input.frequencyInMinutes,
      contact: input.contact ?? null,
      configuration: input.configuration,
      fileId: newGuid(),
      ownerId: newGuid(),
      postponeSeconds: input.postponeSeconds ?? null,
      minRunEverySeconds: input.minRunEverySeconds ?? null,
      lingerSeconds: input.lingerSeconds,
      alternateCompanyFiles: input.alternateCompanyFiles,
      readOnly: input.readOnly,
      syncWindow: input.syncWindow,
      company: null,
      createdAt: now,
      updatedAt: now,
    };
    this.store.transaction(() => {
      this.assertUsernameFree(instance.username, null);
      this.store.instances.insert(instance);
      this.log(instance, 'instance.created', instance.name);
    });
    this.deps.events.emit('instance.changed', { instanceId: instance.id, change: 'created' });
    const resource = this.toResource(instance);
    return generated === undefined ? resource : { ...resource, password: generated };
  }

  async replace(instanceId: string, input: ReplaceInput): Promise<InstanceResource> {
    return this.change(instanceId, {
      ...input,
      qbdPath: input.qbdPath ?? null,
      contact: input.contact ?? null,
      postponeSeconds: input.postponeSeconds ?? null,
      minRunEverySeconds: input.minRunEverySeconds ?? null,
    });
  }

  async update(instanceId: string, input: PatchInput): Promise<InstanceResource> {
    return this.change(instanceId, input);
  }

  delete(instanceId: string): void {
    const now = this.deps.now();
    this.store.transaction(() => {
      const instance = this.require(instanceId);
      const cancelled = this.store.requests.cancelAllQueued(instanceId, now);
      this.store.instances.delete(instanceId, now);
      this.log(instance, 'instance.deleted', cancelled ? `${cancelled} queued requests cancelled` : null);
    });
    this.deps.events.emit('instance.changed', { instanceId, change: 'deleted' });
  }

  forgetCompany(instanceId: string): InstanceResource {
    const now = this.deps.now();
    const updated = this.store.transaction(() => {
      const instance = this.require(instanceId);
      this.store.instances.setCompany(instanceId, null, now);
      this.log(instance, 'company.forgotten', instance.company?.name ?? null);
      return this.require(instanceId);
    });
    return this.toResource(updated);
  }

  qwc(instanceId: string): string {
    const i = this.require(instanceId);
    const base = this.deps.publicBaseUrl();
    return buildQwc({
      AppName: `${this.deps.productName} - ${i.name}`,
      AppID: '',
      AppURL: this.appUrl(),
      AppDescription: `Connects "${i.name}" to QuickBooks through ${this.deps.productName}.`.slice(0, 80),
      AppSupport: `${base}/support`,
      UserName: i.username,
      OwnerID: i.ownerId,
      FileID: i.fileId,
      QBType: 'QBFS',
      RunEveryNMinutes: i.frequencyMinutes,
      IsReadOnly: i.readOnly,
      PersonalDataPref: 'pdpOptional',
      UnattendedModePref: 'umpOptional',
      AuthFlags: '0xF',
      Notify: false,
      AppDisplayName: `${this.deps.productName} - ${i.name}`,
      // A stable unique name makes the Web Connector replace, not clone, on re-import.
      AppUniqueName: `qbwc-companion-${i.id}`,
      Style: 'Document',
    });
  }

  /** Saves the QWC file and opens it: on Windows, the Web Connector takes it from there. */
  async openQwc(instanceId: string): Promise<{ opened: boolean; path: string; message: string }> {
    const instance = this.require(instanceId);
    fs.mkdirSync(this.deps.qwcDir, { recursive: true, mode: 0o700 });
    const file = path.join(this.deps.qwcDir, qwcFileName(instance.name));
    fs.writeFileSync(file, this.qwc(instanceId));
    const opened = await this.deps.openFile(file);
    return {
      opened,
      path: file,
      message: opened
        ? 'QuickBooks Web Connector should now ask you to authorise this application: choose OK, then enter the password in its row.'
        : `QuickBooks Web Connector runs on Windows. The QWC file was saved as ${file}: copy it to the QuickBooks PC and open it there (or use "Add an application" in the Web Connector).`,
    };
  }

  private async change(instanceId: string, input: PatchInput): Promise<InstanceResource> {
    const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined;
    const now = this.deps.now();
    const updated = this.store.transaction(() => {
      const current = this.require(instanceId);
      if (input.username !== undefined) this.assertUsernameFree(input.username, instanceId);
      const next: Instance = {
        ...current,
        name: input.name ?? current.name,
        username: input.username ?? current.username,
        passwordHash: passwordHash ?? current.passwordHash,
        qbdPath: input.qbdPath !== undefined ? input.qbdPath || null : current.qbdPath,
        frequencyMinutes: input.frequencyInMinutes ?? current.frequencyMinutes,
        contact: input.contact !== undefined ? input.contact : current.contact,
        configuration: input.configuration ? keepMaskedSecrets(input.configuration, current.configuration) : current.configuration,
        postponeSeconds: input.postponeSeconds !== undefined ? input.postponeSeconds : current.postponeSeconds,
        minRunEverySeconds: input.minRunEverySeconds !== undefined ? input.minRunEverySeconds : current.minRunEverySeconds,
        lingerSeconds: input.lingerSeconds ?? current.lingerSeconds,
        alternateCompanyFiles: input.alternateCompanyFiles ?? current.alternateCompanyFiles,
        readOnly: input.readOnly ?? current.readOnly,
        syncWindow: input.syncWindow !== undefined ? input.syncWindow : current.syncWindow,
        updatedAt: now,
      };
      this.store.instances.update(next);
      const fields = Object.keys(input).map((k) => (k === 'password' ? 'password (changed)' : k));
      this.log(next, 'instance.updated', fields.join(', '));
      return next;
    });
    this.deps.events.emit('instance.changed', { instanceId, change: 'updated' });
    return this.toResource(updated);
  }

  private assertUsernameFree(username: string, exceptId: string | null): void {
    const other = this.store.instances.byUsername(username);
    if (other && other.id !== exceptId) {
      throw conflict('username_taken', `The user name "${username}" is already used by instance "${other.name}".`, 'username');
    }
  }

  private log(instance: Instance, action: string, detail: string | null): void {
    this.store.events.append({
      clientId: instance.id,
      timestamp: this.deps.now(),
      user: 'api',
      action,
      detail,
      result: 'ok',
      sessionId: null,
      requestId: null,
    });
  }
}
