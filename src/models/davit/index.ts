export {
  DAVIT_ARCHITECTURES,
  DAVIT_PREPROCESS_MODE,
  buildDavit,
  davitB,
  davitS,
  davitT,
  type DavitArchitecture,
  type DavitName,
  type DavitOptions,
} from './davit.js';
export { davitSpecs } from './spec.js';
