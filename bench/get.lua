-- GET the URL given to wrk (a public page); ACCEPT_ENCODING, when set, is sent as Accept-Encoding.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

local encoding = os.getenv("ACCEPT_ENCODING")
if encoding and encoding ~= "" then
   wrk.headers["Accept-Encoding"] = encoding
end
