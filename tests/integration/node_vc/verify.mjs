// Verifies a credential with Digital Bazaar's implementation, offline: `node verify.mjs IN.json`.
// IN.json: {"credential": {...}, "documents": {"<url or did>": {...}}, "now": "<RFC 3339>"}.
// Every document the verifier loads (contexts, the issuer's DID document and key, the status
// list credential) comes from the packages' bundled contexts or from `documents`; nothing is
// fetched. Prints {"verified", "revoked", "errors"} as JSON: `verified` is the library's answer
// for the proofs, the credential's form and the status list credential's own proof; the library
// reports the revocation bit it read and leaves the decision to the relying party, so `revoked`
// is that bit. Exit 0 when verified and not revoked, 1 otherwise.
import {readFile} from 'node:fs/promises';

import {contexts as vcContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {verifyCredential} from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const input = JSON.parse(await readFile(process.argv[2], 'utf8'));
const documents = new Map(Object.entries(input.documents));

// A did:web document's key is addressed as <did>#<fragment>: served as the verification
// method it names, under the document's contexts.
function fromDidDocument(url) {
  const [did] = url.split('#');
  const didDocument = documents.get(did);
  if(!didDocument) {
    return undefined;
  }
  if(url === did) {
    return didDocument;
  }
  const method = didDocument.verificationMethod.find(vm => vm.id === url);
  return method && {'@context': didDocument['@context'], ...method};
}

async function documentLoader(url) {
  const document = vcContexts.get(url) ?? documents.get(url) ?? fromDidDocument(url);
  if(document === undefined) {
    throw new Error(`offline document loader: ${url} is not given`);
  }
  return {contextUrl: null, documentUrl: url, document};
}

const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
const now = input.now ? new Date(input.now) : new Date();
const result = await verifyCredential({
  credential: input.credential, suite, documentLoader, checkStatus, now
});
const errors = new Set();
for(let error = result.error; error; error = error.cause) {
  for(const each of error.errors ?? [error]) {
    errors.add(each.message ?? String(each));
  }
  if(error.errors) {
    break;
  }
}
for(const proof of result.results ?? []) {
  if(proof.error) {
    errors.add(proof.error.message);
  }
}
const status = result.statusResult;
if(status?.error) {
  errors.add(status.error.message);
}
const revoked = status?.results?.[0]?.status ?? null;
console.log(JSON.stringify({verified: result.verified, revoked, errors: [...errors]}));
process.exit(result.verified && revoked === false ? 0 : 1);
