// Drives the local Classroom fake with Google's own Node client (@googleapis/classroom with
// google-auth-library), exactly as a program would drive Google, so the fake cannot drift
// from what Google's client sends and expects. It starts nothing: run.sh starts the fake on
// fixture.json and passes its addresses and a service-account key.
//
//   node conformance.js --base-url URL --token-uri URI --key-file FILE --subject EMAIL
//
// Prints one line per check and "N passed, N failed"; exits 1 on any mismatch.
'use strict';

const assert = require('node:assert/strict');
const {JWT} = require('google-auth-library');
const {classroom} = require('@googleapis/classroom');

// What google-auth-library posts to and signs as the JWT audience, whatever the key file's
// token_uri says; here it is carried to the fake's token endpoint instead.
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const SCOPE = name => `https://www.googleapis.com/auth/classroom.${name}`;
const IESYNC_SCOPES = [SCOPE('courses.readonly'), SCOPE('rosters.readonly'),
  SCOPE('coursework.students.readonly'), SCOPE('courseworkmaterials.readonly')];

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['base-url', 'token-uri', 'key-file', 'subject'])
    if (!out[k]) {
      console.error('usage: node conformance.js --base-url URL --token-uri URI ' +
                    '--key-file FILE --subject EMAIL');
      process.exit(2);
    }
  return out;
}

const opt = args();
const tokenPosts = [];  // every token request the library made, as it made it

// A JWT client as a program would make it from the key file, with its token requests carried
// to the fake. Nothing else about the request changes.
function jwtClient(scopes, subject = opt.subject) {
  const auth = new JWT({keyFile: opt['key-file'], scopes, subject});
  auth.transporter.interceptors.request.add({
    resolved: async config => {
      if (String(config.url) === GOOGLE_TOKEN_URL) {
        tokenPosts.push({url: String(config.url), body: String(config.data ?? config.body)});
        config.url = new URL(opt['token-uri']);
      }
      return config;
    },
  });
  return auth;
}

function api(auth) {
  return classroom({version: 'v1', auth, rootUrl: opt['base-url'].replace(/\/*$/, '/')});
}

// Every page of a list call, as a program pages: nextPageToken until it is empty.
async function listAll(call, params, field) {
  const items = [];
  let pageToken;
  for (let page = 0; page < 100; ++page) {
    const res = await call({...params, pageToken});
    items.push(...(res.data[field] ?? []));
    pageToken = res.data.nextPageToken;
    if (!pageToken) return items;
  }
  throw new Error('the fake kept sending pages');
}

// The HTTP status and the body of a call that must fail.
async function failure(promise) {
  try {
    const res = await promise;
    throw new assert.AssertionError({message: `expected an error, got ${res.status}`});
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    if (!e.response) throw e;
    return {status: e.response.status, data: e.response.data};
  }
}

function claims(jwt) {
  const [header, payload] = jwt.split('.').slice(0, 2)
    .map(p => JSON.parse(Buffer.from(p, 'base64url').toString()));
  return {header, payload};
}

const checks = [];
const check = (name, fn) => checks.push({name, fn});

check('token: JWT grant with subject = the impersonated user', async () => {
  const auth = jwtClient([...IESYNC_SCOPES, SCOPE('profile.emails')]);
  const {access_token: token} = (await auth.authorize());
  assert.ok(token, 'no access token');
  const post = tokenPosts.at(-1);
  assert.equal(post.url, GOOGLE_TOKEN_URL);
  const form = new URLSearchParams(post.body);
  assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
  const {header, payload} = claims(form.get('assertion'));
  assert.equal(header.alg, 'RS256');
  assert.equal(header.typ, undefined, 'the library sends no typ; the fake must accept that');
  assert.equal(payload.aud, GOOGLE_TOKEN_URL);
  assert.equal(payload.sub, opt.subject);
});

check('token: another subject is refused (invalid_grant)', async () => {
  const f = await failure(jwtClient(IESYNC_SCOPES, 'someone-else@school.example').authorize());
  assert.equal(f.status, 400);
  assert.equal(f.data.error, 'invalid_grant');
});

check('token: a scope outside the delegation entry is unauthorized_client', async () => {
  const f = await failure(jwtClient([...IESYNC_SCOPES, SCOPE('courses')]).authorize());
  assert.equal(f.status, 401);
  assert.deepEqual(f.data, {
    error: 'unauthorized_client',
    error_description: 'Client is unauthorized to retrieve access tokens using this method, ' +
      'or client not authorized for any of the scopes requested.',
  });
});

check('courses.list: every page, newest first, SUSPENDED left out by default', async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  const all = await listAll(p => c.courses.list(p), {}, 'courses');
  assert.deepEqual(all.map(x => x.id), ['102', '101', '103']);
  assert.ok(all.every(x => !('aliases' in x)));
  const active = await listAll(p => c.courses.list(p), {courseStates: ['ACTIVE']}, 'courses');
  assert.deepEqual(active.map(x => x.id), ['102', '101']);
  const mine = await listAll(p => c.courses.list(p),
                             {studentId: 'pupil.two@pupils.school.example'}, 'courses');
  assert.deepEqual(mine.map(x => x.id), ['101']);
});

check('courses.get: by alias, with fields', async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  const res = await c.courses.get({id: 'd:9X1-Ma', fields: 'id,name'});
  assert.deepEqual(res.data, {id: '101', name: '9X1 Maths'});
});

check('courses.aliases.list', async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  const all = await listAll(p => c.courses.aliases.list(p), {courseId: '101'}, 'aliases');
  assert.deepEqual(all, [{alias: 'd:9X1-Ma'}, {alias: 'd:2026-9X1-Ma'}]);
  const f = await failure(c.courses.aliases.list({courseId: 'd:no-such-class'}));
  assert.equal(f.status, 404);
  assert.equal(f.data.error.status, 'NOT_FOUND');
});

check('courses.students.list: emailAddress only with classroom.profile.emails', async () => {
  const plain = api(jwtClient(IESYNC_SCOPES));
  const s = await listAll(p => plain.courses.students.list(p), {courseId: 'd:9X1-Ma'},
                          'students');
  assert.deepEqual(s.map(x => x.userId), ['1001', '1002']);
  assert.ok(s.every(x => x.profile.name && !('emailAddress' in x.profile)));
  const emails = api(jwtClient([...IESYNC_SCOPES, SCOPE('profile.emails')]));
  const e = await listAll(p => emails.courses.students.list(p), {courseId: '101'}, 'students');
  assert.deepEqual(e.map(x => x.profile.emailAddress),
                   ['pupil.one@pupils.school.example', 'pupil.two@pupils.school.example']);
});

check('courses.courseWork.list: orderBy and fields as the discovery document has them',
      async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  const order = async orderBy => (await listAll(
    p => c.courses.courseWork.list(p),
    {courseId: 'd:9X1-Ma', orderBy, fields: 'courseWork(id,dueDate),nextPageToken'},
    'courseWork'));
  const asc = await order('dueDate asc');
  assert.deepEqual(asc.map(w => w.id), ['w2', 'w1', 'w3']);
  assert.ok(asc.every(w => Object.keys(w).sort().join() === 'dueDate,id'));
  assert.deepEqual((await order('dueDate desc')).map(w => w.id), ['w3', 'w1', 'w2']);
  assert.deepEqual((await order('updateTime,dueDate desc')).map(w => w.id), ['w3', 'w1', 'w2']);
  assert.deepEqual((await order('dueDate asc,updateTime desc')).map(w => w.id),
                   ['w2', 'w1', 'w3']);
  const f = await failure(c.courses.courseWork.list({courseId: '101', orderBy: 'title'}));
  assert.equal(f.status, 400);
  assert.equal(f.data.error.status, 'INVALID_ARGUMENT');
  const drafts = await listAll(p => c.courses.courseWork.list(p),
                               {courseId: '101', courseWorkStates: ['DRAFT']}, 'courseWork');
  assert.deepEqual(drafts.map(w => w.id), ['w4']);
});

check('courses.courseWorkMaterials.list: states, orderBy, filters and fields', async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  const list = params => listAll(p => c.courses.courseWorkMaterials.list(p),
                                 {courseId: 'd:9X1-Ma', ...params}, 'courseWorkMaterial');
  // PUBLISHED by default, newest update first.
  assert.deepEqual((await list({})).map(m => m.id), ['m2', 'm1']);
  assert.deepEqual((await list({orderBy: 'updateTime asc'})).map(m => m.id), ['m1', 'm2']);
  assert.deepEqual((await list({courseWorkMaterialStates: ['DRAFT']})).map(m => m.id), ['m3']);
  assert.deepEqual((await list({materialLink: 'example.org/reading'})).map(m => m.id), ['m1']);
  assert.deepEqual((await list({materialDriveId: 'drive-42'})).map(m => m.id), ['m2']);
  const cut = await list({fields: 'courseWorkMaterial(id,state,alternateLink),nextPageToken'});
  assert.ok(cut.every(m => Object.keys(m).sort().join() === 'alternateLink,id,state'));
  // Only updateTime sorts materials; an unknown state is refused.
  for (const bad of [{orderBy: 'dueDate'}, {courseWorkMaterialStates: ['TURNED_IN']}]) {
    const f = await failure(c.courses.courseWorkMaterials.list({courseId: '101', ...bad}));
    assert.equal(f.status, 400);
    assert.equal(f.data.error.status, 'INVALID_ARGUMENT');
  }
  // A token without the materials scope is refused as Google refuses it.
  const without = api(jwtClient(IESYNC_SCOPES.filter(s => !s.endsWith('materials.readonly'))));
  const f = await failure(without.courses.courseWorkMaterials.list({courseId: '101'}));
  assert.equal(f.status, 403);
  assert.equal(f.data.error.status, 'PERMISSION_DENIED');
  assert.equal(f.data.error.message, 'Request had insufficient authentication scopes.');
});

check('fields=* returns everything', async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  const whole = (await c.courses.get({id: '101'})).data;
  assert.deepEqual((await c.courses.get({id: '101', fields: '*'})).data, whole);
  assert.equal(whole.alternateLink, 'https://classroom.google.com/c/101');
});

check('studentSubmissions.list: userId by email and late=LATE_ONLY', async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  const list = params => listAll(p => c.courses.courseWork.studentSubmissions.list(p),
                                 {courseId: '101', courseWorkId: '-', ...params},
                                 'studentSubmissions');
  const all = await list({userId: 'pupil.one@pupils.school.example'});
  assert.deepEqual(all.map(s => s.id), ['s-1001-w1', 's-1001-w2', 's-1001-w3']);
  const late = await list({userId: 'pupil.one@pupils.school.example', late: 'LATE_ONLY'});
  assert.deepEqual(late.map(s => s.id), ['s-1001-w1']);
  const onTime = await list({late: 'NOT_LATE_ONLY'});
  assert.deepEqual(onTime.map(s => s.id), ['s-1001-w2', 's-1001-w3', 's-1002-w2']);
  const byId = await list({userId: '1002', states: ['TURNED_IN']});
  assert.deepEqual(byId.map(s => s.id), ['s-1002-w1', 's-1002-w2']);
  // The impersonated reader is on no roster: `me` is known and owns nothing.
  assert.deepEqual(await list({userId: 'me'}), []);
});

check('userProfiles.get: me is the impersonated user; email only with its scope', async () => {
  const emails = api(jwtClient([...IESYNC_SCOPES, SCOPE('profile.emails')]));
  const me = (await emails.userProfiles.get({userId: 'me'})).data;
  assert.equal(me.id, '9001');
  assert.equal(me.emailAddress, opt.subject);
  const plain = api(jwtClient(IESYNC_SCOPES));
  const pupil = (await plain.userProfiles.get({userId: 'pupil.one@pupils.school.example',
                                               fields: 'id,emailAddress'})).data;
  assert.deepEqual(pupil, {id: '1001'});
  const f = await failure(plain.userProfiles.get({userId: 'nobody@school.example'}));
  assert.equal(f.status, 403);
});

check('scopes are checked on every call (403 insufficient scopes)', async () => {
  const c = api(jwtClient([SCOPE('courses.readonly')]));
  assert.equal((await c.courses.get({id: '101'})).status, 200);
  const f = await failure(c.courses.courseWork.list({courseId: '101'}));
  assert.equal(f.status, 403);
  assert.equal(f.data.error.status, 'PERMISSION_DENIED');
  assert.equal(f.data.error.message, 'Request had insufficient authentication scopes.');
});

check('writes with a read-only token are 403, not 404', async () => {
  const c = api(jwtClient(IESYNC_SCOPES));
  // Each made only when awaited, so one failing check leaves no other call unhandled.
  const writes = [
    () => c.courses.patch({id: '101', updateMask: 'name', requestBody: {name: 'Renamed'}}),
    () => c.courses.courseWork.create({courseId: '101',
                                       requestBody: {title: 'New', workType: 'ASSIGNMENT'}}),
    () => c.courses.courseWork.studentSubmissions.return({courseId: '101', courseWorkId: 'w1',
                                                          id: 's-1001-w1', requestBody: {}}),
  ];
  for (const w of writes) {
    const f = await failure(w());
    assert.equal(f.status, 403);
    assert.equal(f.data.error.message, 'Request had insufficient authentication scopes.');
  }
});

check('the token is checked before the path', async () => {
  const res = await fetch(new URL('v1/no/such/method', opt['base-url'].replace(/\/*$/, '/')),
                          {headers: {Authorization: 'Bearer ya29.not-a-token'}});
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.status, 'UNAUTHENTICATED');
  const auth = jwtClient(IESYNC_SCOPES);
  const f = await failure(auth.request({url: new URL('v1/no/such/method',
                                                     opt['base-url'].replace(/\/*$/, '/'))}));
  assert.equal(f.status, 404);
});

(async () => {
  let passed = 0;
  let failed = 0;
  for (const {name, fn} of checks) {
    try {
      await fn();
      ++passed;
      console.log(`ok - ${name}`);
    } catch (e) {
      ++failed;
      const detail = e.response ? `${e.response.status} ${JSON.stringify(e.response.data)}`
                                : (e.message || String(e));
      console.log(`not ok - ${name}\n  ${detail.replace(/\n/g, '\n  ')}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
