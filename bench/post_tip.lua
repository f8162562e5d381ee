-- POST a small tip as JSON (to /tips on the reference, /api/v1/tips on hello-kmp; the path comes
-- from the URL given to wrk).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category":"drugs","description":"সোনাডাঙ্গা বাসস্ট্যান্ডের পেছনে প্রতি রাতে ইয়াবা বিক্রি হয়, '
   .. 'রাত দশটার পর দুজন লোক আসে।","thana":"sonadanga"}'
