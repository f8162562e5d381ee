-- POST a receipt look-up; the receipt (a valid one) comes from the RECEIPT environment variable.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"receipt":"' .. os.getenv("RECEIPT") .. '"}'
