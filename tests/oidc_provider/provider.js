// A real OpenID Provider for Brygga's login tests: panva's certified oidc-provider on loopback.
//
// Started by the pytest fixture in src/brygga/accounts/tests/oidc.py, never in production.
// Configuration comes from a JSON file named by OP_CONFIG:
//   { "port": 0, "client": { client_id, client_secret, redirect_uris, post_logout_redirect_uris },
//     "accounts_file": "/tmp/.../accounts.json",
//     "claims_in_id_token": true,
//     "tamper_id_token_claims": { "employeeHsaId": "..." },   // optional, see below
//     "drop_nonce": false }                                     // optional, see below
// The accounts file is read at every login, so a test can put the demo personas' claims in it:
//   { "anna": { "password": "...", "claims": { "employeeHsaId": "...", "given_name": ... } } }
//
// Two switches make the provider misbehave on purpose, to show that Brygga refuses it:
//   tamper_id_token_claims  rewrites claims in the ID token after it was signed (a token
//                           altered on its way), so its signature no longer matches;
//   drop_nonce              forgets the nonce Brygga sent, so the ID token carries none.
//
// The login and consent pages are the provider's interaction API driven by small pages of
// our own (the library's development pages pull web fonts from the internet; tests talk
// to loopback only). Prints "listening <issuer>" on stdout when ready.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.env.OP_CONFIG, 'utf8'));
const host = '127.0.0.1';

function escapeHtml(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body>
</html>`;
}

function readAccounts() {
  return JSON.parse(readFileSync(config.accounts_file, 'utf8'));
}

const CLAIMS = ['employeeHsaId', 'personalIdentityNumber', 'given_name', 'family_name'];

function startServer(server, port) {
  return new Promise((resolve) => {
    server.listen(port, host, () => resolve(server.address().port));
  });
}

const server = createServer();
const port = await startServer(server, config.port || 0);
const issuer = `http://${host}:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      ...config.client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    profile: CLAIMS,
  },
  conformIdTokenClaims: !config.claims_in_id_token,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page(
          'Logga ut från inloggningstjänsten?',
          `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Logga ut</button>
           <button type="submit" form="op.logoutForm">Förbli inloggad</button>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Utloggad från inloggningstjänsten', '');
      },
    },
  },
  interactions: {
    url(ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page(
      'Fel i inloggningstjänsten',
      Object.entries(out).map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`).join(''),
    );
  },
  async findAccount(ctx, sub) {
    const account = readAccounts()[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, ...account.claims };
      },
    };
  },
});

if (config.drop_nonce) {
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth' && ctx.query.nonce) {
      const { nonce, ...rest } = ctx.query;
      ctx.query = rest;
    }
    await next();
  });
}

if (config.tamper_id_token_claims) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
      const [header, payload, signature] = ctx.body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      Object.assign(claims, config.tamper_id_token_claims);
      const altered = Buffer.from(JSON.stringify(claims)).toString('base64url');
      ctx.body = { ...ctx.body, id_token: `${header}.${altered}.${signature}` };
    }
  });
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(html);
}

function loginPage(uid, error = '') {
  return page(
    'Logga in (testinloggningstjänst)',
    `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/interaction/${uid}/login">
      <p><label for="login">Användarnamn</label> <input id="login" name="login" required autofocus></p>
      <p><label for="password">Lösenord</label> <input id="password" name="password" type="password" required></p>
      <button type="submit">Logga in</button>
    </form>`,
  );
}

async function interaction(req, res) {
  const url = new URL(req.url, issuer);
  const [, , uid, action] = url.pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.InvalidRequest('interaction mismatch');

  if (req.method === 'GET') {
    if (details.prompt.name === 'login') return send(res, 200, loginPage(uid));
    const client = await provider.Client.find(details.params.client_id);
    return send(
      res,
      200,
      page(
        'Godkänn inloggning',
        `<p>${escapeHtml(client?.clientName || client?.clientId)} vill veta vem du är:
           HSA-id, personnummer och namn.</p>
        <form method="post" action="/interaction/${uid}/confirm"><button type="submit">Godkänn</button></form>
        <form method="post" action="/interaction/${uid}/abort"><button type="submit">Avbryt</button></form>`,
      ),
    );
  }

  const form = await readForm(req);
  if (action === 'login') {
    const account = readAccounts()[form.get('login')];
    if (!account || account.password !== form.get('password')) {
      return send(res, 401, loginPage(uid, 'Fel användarnamn eller lösenord.'));
    }
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: form.get('login') } },
      { mergeWithLastSubmission: false },
    );
  }
  if (action === 'confirm') {
    const { prompt, params, session } = details;
    let { grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const consent = {};
    grantId = await grant.save();
    if (!details.grantId) consent.grantId = grantId;
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  if (action === 'abort') {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user cancelled the login' },
      { mergeWithLastSubmission: false },
    );
  }
  return send(res, 404, page('Finns inte', ''));
}

const handle = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      send(res, 400, page('Fel i inloggningstjänsten', `<p>${escapeHtml(error.message)}</p>`));
    });
  } else {
    handle(req, res);
  }
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
console.log(`listening ${issuer}`);
