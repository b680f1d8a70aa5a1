/**
 * Pod volume validation: unique DNS-1123 names, exactly one source per
 * volume, and the checks of the sources skube runs (emptyDir, hostPath,
 * configMap, secret, downwardAPI, projected, persistentVolumeClaim). Other
 * source types are counted but not inspected.
 */
import { type FieldError, field } from '../../errors/index.ts';
import { type Json, list, obj, str } from './json.ts';
import { isDNS1123Label } from './names.ts';

// In the order Kubernetes checks them: the first one set wins, later ones are errors.
const SOURCES = [
  'emptyDir',
  'hostPath',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flocker',
  'persistentVolumeClaim',
  'rbd',
  'cinder',
  'cephfs',
  'quobyte',
  'downwardAPI',
  'fc',
  'flexVolume',
  'configMap',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'projected',
  'scaleIO',
  'csi',
  'ephemeral',
  'image',
];
const FILE_MODE = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(mode: unknown, path: string): FieldError[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [field.invalid(path, mode, FILE_MODE)] : [];
}

function validateLocalPath(value: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (value.startsWith('/')) errs.push(field.invalid(path, value, 'must be a relative path'));
  const parts = value.split(/[\\/]/);
  if (parts.includes('..')) errs.push(field.invalid(path, value, "must not contain '..'"));
  if (value.startsWith('..')) errs.push(field.invalid(path, value, "must not start with '..'"));
  return errs;
}

function validateItems(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(items).forEach((raw, i) => {
    const kp = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    if (!str(kp.key)) errs.push(field.required(`${at}.key`, ''));
    if (!str(kp.path)) errs.push(field.required(`${at}.path`, ''));
    errs.push(...validateLocalPath(str(kp.path), `${at}.path`));
    errs.push(...validateMode(kp.mode, `${at}.mode`));
  });
  return errs;
}

function validateDownwardAPIItems(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const raw of list(items)) {
    const file = obj(raw) ?? {};
    if (!str(file.path)) errs.push(field.required(`${path}.path`, ''));
    errs.push(...validateLocalPath(str(file.path), `${path}.path`));
    const fieldRef = obj(file.fieldRef);
    if (fieldRef && file.resourceFieldRef) {
      errs.push(field.invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (fieldRef) {
      if (!str(fieldRef.apiVersion)) errs.push(field.required(`${path}.fieldRef.apiVersion`, ''));
      else if (!str(fieldRef.fieldPath)) errs.push(field.required(`${path}.fieldRef.fieldPath`, ''));
    } else if (!file.resourceFieldRef) {
      errs.push(field.required(path, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...validateMode(file.mode, `${path}.mode`));
  }
  return errs;
}

function validateSource(kind: string, src: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'hostPath':
      if (!str(src.path)) errs.push(field.required(`${path}.path`, ''));
      else if (str(src.path).split('/').includes('..')) {
        errs.push(field.invalid(`${path}.path`, src.path, "must not contain '..'"));
      }
      break;
    case 'secret':
      if (!str(src.secretName)) errs.push(field.required(`${path}.secretName`, ''));
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`), ...validateItems(src.items, `${path}.items`));
      break;
    case 'configMap':
      if (!str(src.name)) errs.push(field.required(`${path}.name`, ''));
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`), ...validateItems(src.items, `${path}.items`));
      break;
    case 'downwardAPI':
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`));
      // Kubernetes reports item problems on the source path, without the index.
      errs.push(...validateDownwardAPIItems(src.items, path));
      break;
    case 'projected':
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`));
      list(src.sources).forEach((raw, i) => {
        const s = obj(raw) ?? {};
        const at = `${path}.sources[${i}]`;
        for (const ref of ['secret', 'configMap']) {
          const r = obj(s[ref]);
          if (!r) continue;
          if (!str(r.name)) errs.push(field.required(`${at}.${ref}.name`, ''));
          errs.push(...validateItems(r.items, `${at}.${ref}.items`));
        }
      });
      break;
    case 'persistentVolumeClaim':
      if (!str(src.claimName)) errs.push(field.required(`${path}.claimName`, ''));
      break;
  }
  return errs;
}

/** The valid volume names of a pod spec and the errors in its volume list. */
export function validateVolumes(volumes: unknown, path: string): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  list(volumes).forEach((raw, i) => {
    const vol = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    const errs: FieldError[] = [];
    let count = 0;
    for (const kind of SOURCES) {
      const src = obj(vol[kind]);
      if (!src) continue;
      if (count > 0) {
        errs.push(field.forbidden(`${at}.${kind}`, 'may not specify more than 1 volume type'));
        continue;
      }
      count++;
      errs.push(...validateSource(kind, src, `${at}.${kind}`));
    }
    if (count === 0) errs.push(field.required(at, 'must specify a volume type'));
    const name = str(vol.name);
    if (!name) errs.push(field.required(`${at}.name`, ''));
    else for (const msg of isDNS1123Label(name)) errs.push(field.invalid(`${at}.name`, name, msg));
    if (names.has(name)) errs.push(field.duplicate(`${at}.name`, name));
    if (errs.length === 0) names.add(name);
    else errors.push(...errs);
  });
  return { names, errors };
}
