// The host's API: JSON in and out, the session's CSRF token on writes, retries when the host
// is away (a write is retried until it gets an answer, so nothing typed is lost).

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export class Api {
  constructor() {
    this.csrf = null;
    this.listeners = new Set();  // called with "offline" / "online"
  }

  async me() {
    const body = await this.request("GET", "/api/auth/me");
    this.csrf = body.csrf_token;
    return body.user;
  }

  async login(name, password) {
    const body = await this.request("POST", "/api/auth/login", {name, password});
    this.csrf = body.csrf_token;
    return body.user;
  }

  get(url) { return this.request("GET", url); }
  post(url, body, headers) { return this.request("POST", url, body, headers); }
  put(url, body, headers) { return this.request("PUT", url, body, headers); }

  async request(method, url, body, headers = {}, {retries = 6} = {}) {
    const init = {method, headers: {...headers}, credentials: "same-origin"};
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    if (method !== "GET" && this.csrf) init.headers["X-CSRF-Token"] = this.csrf;
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(url, init);
      } catch (error) {  // the host is away: wait and try again
        this.emit("offline");
        if (attempt >= retries) throw error;
        await new Promise(resolve => setTimeout(resolve, Math.min(8000, 250 * 2 ** attempt)));
        continue;
      }
      this.emit("online");
      const text = await response.text();
      const data = text ? JSON.parse(text) : null;
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    }
  }

  emit(state) { for (const listener of this.listeners) listener(state); }
}
