// Behaviour of the small pages the API serves itself (src/ops/pages): the queue
// dashboard's sign-in and, in development, /verify-email and /reset-password.
// A file of its own because the pages' Content-Security-Policy allows no inline script.
(function () {
  'use strict';
  var page = document.body.dataset.page;
  var params = new URLSearchParams(location.search);
  var status = document.getElementById('status');

  function say(text, kind) {
    status.textContent = text;
    status.dataset.kind = kind || 'info';
  }

  function post(path, body, accessToken) {
    var headers = { 'Content-Type': 'application/json' };
    if (accessToken) headers.Authorization = 'Bearer ' + accessToken;
    return fetch(path, { method: 'POST', headers: headers, credentials: 'same-origin', body: JSON.stringify(body || {}) }).then(function (res) {
      if (res.status === 204) return { status: 204, data: null };
      return res.json().then(
        function (data) {
          return { status: res.status, data: data };
        },
        function () {
          return { status: res.status, data: null };
        },
      );
    });
  }

  function problem(r) {
    var d = r.data || {};
    if (Array.isArray(d.details) && d.details.length) {
      return d.details
        .map(function (x) {
          return x.message;
        })
        .join('; ');
    }
    return d.message || 'The request failed (' + r.status + ')';
  }

  function show(id) {
    var el = document.getElementById(id);
    if (el) el.hidden = false;
  }

  function hide(id) {
    var el = document.getElementById(id);
    if (el) el.hidden = true;
  }

  function signIn(then) {
    var form = document.getElementById('sign-in');
    if (!form) return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var fields = new FormData(form);
      post('/api/auth/login', { email: fields.get('email'), password: fields.get('password') }).then(function (r) {
        if (r.status !== 200) return say(problem(r), 'error');
        return then(r.data);
      });
    });
  }

  function signedIn(login) {
    hide('sign-in');
    say('Signed in as ' + login.user.email + '.', 'ok');
  }

  // Only a path of the dashboard: never another origin.
  function next() {
    var target = params.get('next') || '';
    return /^\/admin\/queues(\/|$|\?)/.test(target) ? target : '/admin/queues';
  }

  if (page === 'dashboard-sign-in') {
    signIn(function (login) {
      return post('/api/admin/dashboard/session', {}, login.accessToken).then(function (r) {
        if (r.status === 204) return location.assign(next());
        say(r.status === 403 ? 'Only platform staff can open the queue dashboard.' : problem(r), 'error');
      });
    });
  }

  if (page === 'verify-email') {
    document.getElementById('confirm').addEventListener('click', function () {
      post('/api/auth/verify-email', { token: params.get('token') || '' }).then(function (r) {
        if (r.status !== 204) return say(problem(r), 'error');
        hide('confirm');
        show('sign-in');
        say('Your email address is verified. You can sign in.', 'ok');
      });
    });
    signIn(signedIn);
  }

  if (page === 'reset-password') {
    var form = document.getElementById('reset');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var fields = new FormData(form);
      if (fields.get('password') !== fields.get('confirm')) return say('The two passwords differ.', 'error');
      post('/api/auth/password/reset', { token: params.get('token') || '', password: fields.get('password') }).then(function (r) {
        if (r.status !== 204) return say(problem(r), 'error');
        hide('reset');
        show('sign-in');
        say('Your password is set. You can sign in.', 'ok');
      });
    });
    signIn(signedIn);
  }
})();
