-- The requests of one scenario of bench/load.py, for wrk (one Lua state per wrk thread).
--
-- Environment, set by bench/load.py:
--   BENCH_PATHS   a file with one address per line; each GET takes one at random
--   BENCH_COOKIE  the Cookie header of the signed-in user
--   BENCH_FORM    for intake: the form's fixed fields, URL-encoded; each request POSTs them to the first
--                 address with a new intake token and parties nobody has seen (random names and phones, the
--                 applicant with a valid random ID number), so the repeat-visit check finds what it would
--                 for a stranger, not every earlier benchmark intake
--   BENCH_NAMES   for intake: URL-encoded surname and given-name characters, "surnames|given names", comma-separated
--   BENCH_RUN     a word unique to the run, so intake tokens never repeat across runs
--   BENCH_RESULT  where done() writes the figures, one "key value" per line (latencies in microseconds)

local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
end

local paths = {}
local cookie, form, surnames, given, run
local sent = 0

local function split(text, separator)
  local parts = {}
  for part in string.gmatch(text, "[^" .. separator .. "]+") do
    table.insert(parts, part)
  end
  return parts
end

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  cookie = os.getenv("BENCH_COOKIE") or ""
  form = os.getenv("BENCH_FORM")
  run = (os.getenv("BENCH_RUN") or "run") .. string.format("%02d", thread_number)
  math.randomseed(os.time() * 100 + thread_number)
  if form then
    local names = split(os.getenv("BENCH_NAMES"), "|")
    surnames, given = split(names[1], ","), split(names[2], ",")
  end
end

local WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local CHECK = "10X98765432"

local function id_number()
  local born = os.time({year = 1950, month = 1, day = 1, hour = 12}) + math.random(0, 50 * 365) * 86400
  local first_17 = "110105" .. os.date("!%Y%m%d", born) .. string.format("%03d", math.random(0, 999))
  local sum = 0
  for position = 1, 17 do
    sum = sum + tonumber(string.sub(first_17, position, position)) * WEIGHTS[position]
  end
  local check = sum % 11 + 1
  return first_17 .. string.sub(CHECK, check, check)
end

local function phone()
  return "13" .. string.format("%09d", math.random(0, 999999999))
end

local function pick(list)
  return list[math.random(#list)]
end

function request()
  if form then
    sent = sent + 1
    local body = form .. "&intake_token=" .. run .. string.format("%010d", sent)
      .. "&applicant-0-name=" .. pick(surnames) .. pick(given) .. pick(given)
      .. "&applicant-0-id_number=" .. id_number() .. "&applicant-0-phone=" .. phone()
      .. "&respondent-0-name=" .. pick(surnames) .. pick(given) .. "&respondent-0-phone=" .. phone()
    return wrk.format("POST", paths[1], {
      ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  end
  return wrk.format("GET", pick(paths), {["Cookie"] = cookie})
end

function done(summary, latency, requests)
  local errors = summary.errors
  local output = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
  output:write(string.format("requests %d\nduration %d\n", summary.requests, summary.duration))
  output:write(string.format("errors %d\n", errors.connect + errors.read + errors.write + errors.status
                                             + errors.timeout))
  output:write(string.format("p50 %d\np95 %d\n", latency:percentile(50), latency:percentile(95)))
  output:close()
end
