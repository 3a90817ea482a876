// chibo's sandbox page: act as a person of the town, talk to the real bot, move the clock.
"use strict";

const WEEKDAYS = { Mon: "thứ Hai", Tue: "thứ Ba", Wed: "thứ Tư", Thu: "thứ Năm", Fri: "thứ Sáu", Sat: "thứ Bảy", Sun: "Chủ nhật" };
// Telegram's HTML: these tags, and href on links; everything else becomes its text.
const ALLOWED_TAGS = {
  B: "b", STRONG: "b", I: "i", EM: "i", U: "u", INS: "u", S: "s", STRIKE: "s", DEL: "s",
  CODE: "code", PRE: "pre", A: "a", BLOCKQUOTE: "blockquote", "TG-SPOILER": "span", SPAN: "span",
};

const page = {
  people: [],
  group: null,
  bot: null,
  current: null, // { key, chatId, acting, title, subtitle }
  messages: new Map(), // chatId -> Map(messageId -> message)
  errors: new Map(), // chatId -> [error]
  unread: new Map(),
  pending: new Map(), // query id -> button element
  clock: { now: Date.now() / 1000, fetchedAt: Date.now(), zone: "Asia/Ho_Chi_Minh" },
  commands: [],
};

const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `Lỗi ${response.status}`);
  return body;
}

function postJson(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

// ---------------------------------------------------------------- time, as Vietnamese write it

function parts(seconds) {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: page.clock.zone, weekday: "short", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const out = {};
  for (const part of format.formatToParts(new Date(seconds * 1000))) out[part.type] = part.value;
  return out;
}

function vnMoment(seconds) {
  const p = parts(seconds);
  return `${Number(p.hour)} giờ ${p.minute}, ${WEEKDAYS[p.weekday]}, ngày ${p.day}/${p.month}/${p.year}`;
}

function shortTime(seconds) {
  const p = parts(seconds);
  return `${p.hour}:${p.minute}`;
}

function dayOf(seconds) {
  const p = parts(seconds);
  return `${WEEKDAYS[p.weekday]}, ngày ${p.day}/${p.month}/${p.year}`;
}

function clockNow() {
  return page.clock.now + (Date.now() - page.clock.fetchedAt) / 1000;
}

function setClock(clock) {
  page.clock = { now: clock.now, zone: clock.zone, fetchedAt: Date.now() };
  drawClock();
}

function drawClock() {
  $("clock-label").textContent = vnMoment(clockNow());
}

// ---------------------------------------------------------------- people and chats

function initials(name) {
  const words = name.split(" ").filter(Boolean);
  return words.slice(-2).map((w) => w[0]).join("").toUpperCase();
}

function drawPeople() {
  const list = $("people");
  list.textContent = "";
  const entries = page.people.map((person) => ({
    key: person.key, chatId: person.chat_id, acting: person.key, title: person.name,
    subtitle: person.role, branches: person.branches, linked: person.linked,
  }));
  entries.push({
    key: "group", chatId: page.group.chat_id, acting: page.group.speaker, title: page.group.title,
    subtitle: "Nhóm lãnh đạo · báo cáo tổng hợp tháng", branches: [], linked: true, isGroup: true,
  });
  for (const entry of entries) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.key = entry.key;
    button.className = page.current && page.current.key === entry.key ? "active" : "";
    const avatar = document.createElement("div");
    avatar.className = "avatar";
    avatar.textContent = entry.isGroup ? "👥" : initials(entry.title);
    const who = document.createElement("div");
    who.className = "who";
    const name = document.createElement("div");
    name.className = "who-name";
    name.textContent = entry.title;
    if (!entry.linked && entry.key !== "stranger") {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = "chưa liên kết";
      name.append(tag);
    }
    const role = document.createElement("div");
    role.className = "who-role";
    role.textContent = entry.subtitle;
    who.append(name, role);
    if (entry.branches.length) {
      const branches = document.createElement("div");
      branches.className = "who-branches";
      branches.textContent = "Theo dõi: " + entry.branches.join(", ");
      branches.title = branches.textContent;
      who.append(branches);
    }
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = page.unread.get(entry.chatId) || "";
    button.append(avatar, who, badge);
    button.addEventListener("click", () => openChat(entry));
    item.append(button);
    list.append(item);
  }
}

async function openChat(entry) {
  page.current = entry;
  localStorage.setItem("chibo.sandbox.chat", entry.key);
  page.unread.delete(entry.chatId);
  drawPeople();
  $("layout").className = "show-chat";
  $("chat-title").textContent = entry.title;
  $("chat-subtitle").textContent = entry.isGroup
    ? "Đang gửi với tư cách lãnh đạo"
    : `Trò chuyện với ${page.bot.first_name}`;
  $("chat-avatar").textContent = entry.isGroup ? "👥" : initials(entry.title);
  const body = await api(`/api/chats/${entry.chatId}/messages`);
  const byId = new Map();
  for (const message of body.messages) byId.set(message.id, message);
  page.messages.set(entry.chatId, byId);
  page.errors.set(entry.chatId, body.errors);
  drawMessages();
  loadCommands();
  $("text").focus();
}

async function loadCommands() {
  if (!page.current) return;
  page.commands = await api(`/api/chats/${page.current.chatId}/commands`).catch(() => []);
}

// ---------------------------------------------------------------- messages

function safeHtml(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const out = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        to.append(document.createTextNode(node.textContent));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        const tag = ALLOWED_TAGS[node.tagName];
        if (!tag) { copy(node, to); continue; }
        const element = document.createElement(tag);
        if (tag === "a") {
          const href = node.getAttribute("href") || "";
          if (/^(https?:|tg:|mailto:)/i.test(href)) {
            element.href = href;
            element.target = "_blank";
            element.rel = "noopener noreferrer";
          }
        }
        copy(node, element);
        to.append(element);
      }
    }
  };
  copy(doc.body, out);
  return out;
}

function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function drawMessage(message) {
  const bubble = document.createElement("div");
  bubble.className = "msg" + (message.from_bot ? " bot" : " mine");
  bubble.dataset.id = message.id;
  if (page.current && page.current.isGroup && !message.from_bot) {
    const sender = document.createElement("div");
    sender.className = "sender";
    sender.textContent = message.sender;
    bubble.append(sender);
  }
  if (message.photo) {
    const image = document.createElement("img");
    image.className = "photo";
    image.src = message.photo;
    image.alt = "Ảnh";
    image.addEventListener("click", () => window.open(message.photo, "_blank"));
    bubble.append(image);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.className = "document";
    link.href = message.document.url;
    link.download = message.document.name;
    const icon = document.createElement("span");
    icon.className = "icon";
    icon.textContent = "📄";
    const label = document.createElement("span");
    const name = document.createElement("div");
    name.className = "name";
    name.textContent = message.document.name;
    const size = document.createElement("div");
    size.className = "size";
    size.textContent = `${formatSize(message.document.size)} · Tải về`;
    label.append(name, size);
    link.append(icon, label);
    bubble.append(link);
  }
  const body = document.createElement("div");
  body.className = "body";
  if (message.from_bot) {
    if (message.html) body.append(safeHtml(message.html));
  } else if (message.contact) {
    body.textContent = `📞 Đã chia sẻ số điện thoại ${message.contact}`;
  } else if (message.voice) {
    body.textContent = "🎤 Tin nhắn thoại";
  } else if (message.sticker) {
    body.textContent = "🙂 Nhãn dán";
  } else {
    body.textContent = message.text;
  }
  if (body.childNodes.length) bubble.append(body);
  if (message.buttons && message.buttons.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    message.buttons.forEach((row, rowIndex) => {
      const line = document.createElement("div");
      line.className = "row";
      row.forEach((button, columnIndex) => {
        if (button.url) {
          const link = document.createElement("a");
          link.href = button.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          link.textContent = button.text;
          line.append(link);
          return;
        }
        const element = document.createElement("button");
        element.type = "button";
        element.textContent = button.text;
        element.title = button.text; // the whole label, where the line cuts it
        if (button.data) element.dataset.callback = button.data;
        element.addEventListener("click", () => press(message, rowIndex, columnIndex, element));
        line.append(element);
      });
      keyboard.append(line);
    });
    bubble.append(keyboard);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = (message.edited ? "đã sửa · " : "") + shortTime(message.date);
  bubble.append(meta);
  return bubble;
}

function drawError(error) {
  const line = document.createElement("div");
  line.className = "api-error";
  line.textContent = `Telegram từ chối lệnh ${error.method} của bot: ${error.error}`;
  return line;
}

function drawMessages() {
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.textContent = "";
  if (!page.current) return;
  const messages = [...(page.messages.get(page.current.chatId) || new Map()).values()]
    .filter((m) => !m.deleted)
    .sort((a, b) => a.id - b.id);
  let lastDay = null;
  for (const message of messages) {
    const day = dayOf(message.date);
    if (day !== lastDay) {
      const note = document.createElement("div");
      note.className = "day-note";
      note.textContent = day;
      box.append(note);
      lastDay = day;
    }
    box.append(drawMessage(message));
  }
  box.dataset.lastDay = lastDay || "";
  for (const error of page.errors.get(page.current.chatId) || []) box.append(drawError(error));
  if (!messages.length) {
    const note = document.createElement("div");
    note.className = "day-note empty";
    note.textContent = page.current.isGroup ? "Chưa có tin nhắn nào trong nhóm." : "Gõ /start để bắt đầu.";
    box.append(note);
  }
  drawReplyKeyboard(messages);
  if (nearBottom || box.dataset.chat !== String(page.current.chatId)) box.scrollTop = box.scrollHeight;
  box.dataset.chat = String(page.current.chatId);
}

function drawReplyKeyboard(messages) {
  const area = $("reply-keyboard");
  area.textContent = "";
  const last = [...messages].reverse().find((m) => m.from_bot && m.keyboard !== undefined);
  if (!last || !last.keyboard.length) return;
  for (const row of last.keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.text;
      element.addEventListener("click", () => (button.contact ? shareContact() : sendText(button.text)));
      line.append(element);
    }
    area.append(line);
  }
}

// ---------------------------------------------------------------- acting

function acting() {
  return `as=${encodeURIComponent(page.current.acting)}`;
}

async function sendText(text) {
  if (!page.current || !text.trim()) return;
  try {
    await postJson(`/api/chats/${page.current.chatId}/send?${acting()}`, { text });
  } catch (error) {
    toast(error.message);
  }
}

async function shareContact() {
  try {
    await postJson(`/api/chats/${page.current.chatId}/contact?${acting()}`, {});
    setTimeout(refreshPeople, 1500); // a linked account changes how the list shows them
  } catch (error) {
    toast(error.message);
  }
}

async function refreshPeople() {
  const state = await api("/api/state");
  page.people = state.people;
  drawPeople();
}

async function press(message, row, column, element) {
  element.classList.add("pending");
  try {
    const answer = await postJson(`/api/chats/${message.chat_id}/press?${acting()}`, {
      message_id: message.id, row, column,
    });
    page.pending.set(answer.query_id, element);
  } catch (error) {
    element.classList.remove("pending");
    toast(error.message);
  }
}

async function upload(input, asPhoto) {
  const file = input.files[0];
  input.value = "";
  if (!file || !page.current) return;
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    await api(`/api/chats/${page.current.chatId}/upload?${acting()}${asPhoto ? "&photo=1" : ""}`, {
      method: "POST", body: form,
    });
  } catch (error) {
    toast(error.message);
  }
}

async function moveClock(action, button) {
  const buttons = document.querySelectorAll("[data-clock]");
  buttons.forEach((b) => (b.disabled = true));
  $("clock-said").textContent = "Đang chuyển đồng hồ…";
  try {
    const persona = page.current ? page.current.acting : null;
    const answer = await postJson("/api/clock", { action, as: persona });
    setClock(answer.clock);
    $("clock-said").textContent = `${answer.said} Bây giờ là ${vnMoment(answer.clock.now)}.`;
  } catch (error) {
    $("clock-said").textContent = error.message;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

// ---------------------------------------------------------------- feedback

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 3500);
}

function alertBox(text) {
  $("alert-text").textContent = text;
  $("alert").hidden = false;
  $("alert-ok").focus();
}

// ---------------------------------------------------------------- live updates

function follow() {
  const source = new EventSource("/api/events");
  source.onmessage = (event) => {
    const body = JSON.parse(event.data);
    if (body.type === "message") onMessage(body.message);
    else if (body.type === "answer") onAnswer(body);
    else if (body.type === "error") onError(body);
    else if (body.type === "clock") setClock(body);
  };
}

// One message changed in the open chat: redraw that bubble alone (or add it at the end),
// rather than the whole history, so an answer shows as soon as it arrives.
function drawOne(message, isNew) {
  const box = $("messages");
  const old = box.querySelector(`.msg[data-id="${message.id}"]`);
  const newest = [...box.querySelectorAll(".msg")].pop();
  const appendable = isNew && !box.querySelector(".api-error") &&
    (!newest || Number(newest.dataset.id) < message.id) &&
    (!newest || dayOf(message.date) === box.dataset.lastDay);
  if (old && !isNew) {
    if (message.deleted) old.remove();
    else old.replaceWith(drawMessage(message));
  } else if (appendable && !message.deleted) {
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    box.querySelectorAll(".day-note.empty").forEach((note) => note.remove());
    box.append(drawMessage(message));
    if (nearBottom || !message.from_bot) box.scrollTop = box.scrollHeight;
  } else {
    drawMessages();
    return;
  }
  if (message.from_bot && message.keyboard !== undefined) {
    drawReplyKeyboard([...page.messages.get(message.chat_id).values()].filter((m) => !m.deleted).sort((a, b) => a.id - b.id));
  }
}

function onMessage(message) {
  const chat = page.messages.get(message.chat_id);
  const isNew = !chat || !chat.has(message.id);
  if (chat) chat.set(message.id, message);
  if (page.current && page.current.chatId === message.chat_id) {
    drawOne(message, isNew);
    if (message.keyboard !== undefined || (message.from_bot && isNew)) loadCommands();
  } else if (message.from_bot && isNew && !message.deleted) {
    page.unread.set(message.chat_id, (page.unread.get(message.chat_id) || 0) + 1);
    drawPeople();
  }
}

function onAnswer(answer) {
  const element = page.pending.get(answer.query_id);
  if (element) {
    element.classList.remove("pending");
    page.pending.delete(answer.query_id);
  }
  if (!answer.text) return;
  if (answer.show_alert) alertBox(answer.text);
  else toast(answer.text);
}

function onError(error) {
  if (error.chat_id === null || error.chat_id === undefined) {
    toast(`Telegram từ chối lệnh ${error.method} của bot: ${error.error}`);
    return;
  }
  const list = page.errors.get(error.chat_id);
  if (list) list.push(error);
  if (page.current && page.current.chatId === error.chat_id) drawMessages();
}

// ---------------------------------------------------------------- the composer and the menu

function drawCommandMenu(filter) {
  const menu = $("command-menu");
  menu.textContent = "";
  const wanted = page.commands.filter((c) => `/${c.command}`.startsWith(filter || "/"));
  for (const command of wanted) {
    const button = document.createElement("button");
    button.type = "button";
    const name = document.createElement("span");
    name.className = "cmd";
    name.textContent = `/${command.command}`;
    const description = document.createElement("span");
    description.textContent = command.description;
    button.append(name, description);
    button.addEventListener("click", () => {
      menu.hidden = true;
      $("text").value = "";
      sendText(`/${command.command}`);
    });
    menu.append(button);
  }
  menu.hidden = wanted.length === 0;
}

function setUpComposer() {
  const text = $("text");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = text.value;
    text.value = "";
    $("command-menu").hidden = true;
    sendText(value);
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  text.addEventListener("input", () => {
    const value = text.value;
    if (value.startsWith("/") && !value.includes(" ")) drawCommandMenu(value);
    else $("command-menu").hidden = true;
  });
  $("menu-button").addEventListener("click", () => {
    const menu = $("command-menu");
    if (menu.hidden) drawCommandMenu("/");
    else menu.hidden = true;
  });
  $("photo-input").addEventListener("change", (event) => upload(event.target, true));
  $("file-input").addEventListener("change", (event) => upload(event.target, false));
  $("back").addEventListener("click", () => ($("layout").className = "show-list"));
  $("alert-ok").addEventListener("click", () => ($("alert").hidden = true));
  document.querySelectorAll("[data-clock]").forEach((button) =>
    button.addEventListener("click", () => moveClock(button.dataset.clock, button)));
  $("tour-open").addEventListener("click", () => ($("tour").hidden = false));
  $("tour-close").addEventListener("click", () => {
    $("tour").hidden = true;
    localStorage.setItem("chibo.sandbox.tour", "seen");
  });
}

async function start() {
  setUpComposer();
  const state = await api("/api/state");
  page.people = state.people;
  page.group = state.group;
  page.bot = state.bot;
  setClock(state.clock);
  setInterval(drawClock, 1000);
  drawPeople();
  follow();
  if (!localStorage.getItem("chibo.sandbox.tour")) $("tour").hidden = false;
  const saved = localStorage.getItem("chibo.sandbox.chat");
  const button = saved && document.querySelector(`#people button[data-key="${saved}"]`);
  if (button && window.innerWidth > 760) button.click();
}

start();
