//! The questions Hello KMP starts with, written for this product: each answer says what the
//! server really does (docs/privacy.md) and gives only facts from `shared/data/FACTS.md`.
//! Written once, at the first start of a new database; editors change or remove them after.

/// A group of questions, in the order shown.
pub struct SeedGroup {
    pub title_bn: &'static str,
    pub title_en: &'static str,
    pub entries: &'static [SeedEntry],
}

pub struct SeedEntry {
    /// Names the entry among those the server wrote (`faq_entries.seed_key`).
    pub key: &'static str,
    pub question_bn: &'static str,
    pub question_en: &'static str,
    pub answer_bn: &'static str,
    pub answer_en: &'static str,
}

/// The name of this set of questions in `content_seeds`: a later set gets a new name, so that
/// it is added once without bringing back what editors removed.
pub const SEED_NAME: &str = "faq-1";

pub const GROUPS: &[SeedGroup] = &[
    SeedGroup {
        title_bn: "জরুরি অবস্থায়",
        title_en: "In an emergency",
        entries: &[SeedEntry {
            key: "emergency",
            question_bn: "জরুরি অবস্থায় কী করব?",
            question_en: "What should I do in an emergency?",
            answer_bn: "প্রথমে ৯৯৯-এ কল করুন। ৯৯৯ হলো জাতীয় জরুরি সেবা: পুলিশ, ফায়ার সার্ভিস ও \
অ্যাম্বুলেন্স। যেকোনো ফোন থেকে কল করা যায় বিনা খরচে, ফোনে ব্যালান্স না থাকলেও, দিনরাত ২৪ ঘণ্টা। \
ইংরেজিতে কথা বলতে ২ চাপুন।\n\n\
কোথায় আছেন আর কী ঘটছে, তা পরিষ্কার করে বলুন।\n\n\
গোপন তথ্য জরুরি কলের বদলে নয়: কর্মকর্তারা তথ্য পড়েন তাঁদের কাজের তালিকা থেকে, পাঠানোর সঙ্গে সঙ্গে \
নয়। কেউ এখনই বিপদে থাকলে ৯৯৯-এ কল করুন।\n\n\
আগুন লাগলে ফায়ার সার্ভিস ও সিভিল ডিফেন্সের হটলাইন ১৬১৬৩-এও কল করা যায়। নারী ও শিশু নির্যাতনের \
ঘটনায় জাতীয় হেল্পলাইন ১০৯-এ কল করুন: বিনা খরচে, দিনরাত ২৪ ঘণ্টা।",
            answer_en: "Call 999 first. 999 is the National Emergency Service: police, fire \
service and ambulance. The call is free from any phone, even with no balance, 24 hours a day. \
Press 2 to speak in English.\n\n\
Say clearly where you are and what is happening.\n\n\
A secret tip is not an emergency call: officers read tips from their list of work, not the \
moment they arrive. If someone is in danger now, call 999.\n\n\
For a fire you can also call the Fire Service and Civil Defence hotline, 16163. For violence \
against women and children, call the national helpline 109: free, 24 hours a day.",
        }],
    },
    SeedGroup {
        title_bn: "গোপন তথ্য",
        title_en: "Secret tips",
        entries: &[
            SeedEntry {
                key: "tip-secret",
                question_bn: "গোপন তথ্য কীভাবে গোপন থাকে?",
                question_en: "How does a secret tip stay secret?",
                answer_bn: "আপনার নাম, ফোন নম্বর বা ঠিকানা দিতে হয় না। নিজে থেকে নাম বা নম্বর দিলে তা \
এনক্রিপ্ট করে রাখা হয়, আর দেখতে পান শুধু যে ডেস্ক আপনার তথ্য নিয়ে কাজ করছে তার কর্মকর্তারা ও \
প্রশাসকেরা।\n\n\
হ্যালো কেএমপি আপনার আইপি ঠিকানা, ফোনের পরিচয় বা ব্রাউজারের তথ্য রাখে না, লগেও লেখে না। একটিমাত্র \
কুকি রাখা হয়, তাতে থাকে শুধু আপনার বেছে নেওয়া ভাষা; ব্রাউজার বন্ধ করলে সেটিও মুছে যায়।\n\n\
আপনি যা লেখেন তা রাখার আগেই এনক্রিপ্ট করা হয়, এমন চাবি দিয়ে যা ডেটাবেসে থাকে না। খুলতে পারেন \
শুধু কর্মকর্তারা: যে থানা বা ইউনিটে তথ্যটি যায় (আর যে ইউনিটে অনুলিপি যায়) তার কর্মকর্তারা, সদর \
দপ্তর ও প্রশাসকেরা। প্রতিবার খোলা অডিট লগে লেখা থাকে।\n\n\
ছবির ভেতরের লুকানো তথ্য (কোথায় ও কখন তোলা, ফোনের কোম্পানি ও মডেল) মুছে ছবিটি নতুন করে সংরক্ষণ করা \
হয়; ভিডিও, ভয়েস নোট ও পিডিএফ থেকেও এ ধরনের তথ্য মুছে ফেলা হয়। তবে ছবি বা রেকর্ডিংয়ে যা দেখা বা \
শোনা যায় — মুখ, বাড়ি, কণ্ঠ — তা দিয়েও কাউকে চেনা যেতে পারে; পাঠানোর আগে দেখে নিন।\n\n\
পাঠানোর পর পাতাটি বন্ধ করুন, যাতে আপনার ফোন হাতে নিয়ে কেউ তা দেখতে না পায়।",
                answer_en: "You need not give your name, phone number or address. If you choose to \
leave a name or number, it is kept encrypted, and only the officers of the desk working your tip \
and administrators see it.\n\n\
Hello KMP does not store or log your IP address, your phone's identity or your browser's \
details. The only cookie it sets holds the language you chose, and it ends when you close the \
browser.\n\n\
What you write is encrypted before it is stored, with a key that is not kept in the database. \
Only officers can open it: those of the thana or unit your tip goes to (and of a unit it is \
copied to), headquarters and administrators. Every opening is written in an audit log.\n\n\
Photos lose the hidden details they carry (where and when they were taken, the phone's make \
and model) and are saved again as new pictures; videos, voice notes and PDF documents are \
cleaned of such details too. What a picture or a recording shows — a face, a house, a voice — \
can still identify someone, so look before you send.\n\n\
Close the page after sending, so that nobody who picks up your phone can see it.",
            },
            SeedEntry {
                key: "tip-receipt",
                question_bn: "রসিদ নম্বর কী, আর হারালে কেন আবার পাওয়া যায় না?",
                question_en: "What is the receipt, and why can it not be given again?",
                answer_bn: "তথ্য পাঠানোর পর আপনি ২৫ অঙ্কের একটি রসিদ নম্বর পান। এটিই আপনার তথ্যে ফেরার \
একমাত্র চাবি: ফলো-আপ পাতায় এটি দিয়ে আপনি অবস্থা দেখতে, কর্মকর্তাদের প্রশ্ন পড়তে এবং আরও তথ্য বা \
ফাইল যোগ করতে পারেন।\n\n\
রসিদ দেখানো হয় একবারই। সার্ভার নম্বরটি নিজে রাখে না, রাখে শুধু একটি চাবিযুক্ত হ্যাশ — এমন একটি \
ছাপ, যা থেকে নম্বরটি বের করা যায় না। তাই পুলিশসহ কেউই নম্বরটি খুঁজে বের করতে বা আবার পাঠাতে \
পারে না; এ কারণে রসিদ ধরেও তথ্যটি আপনার সঙ্গে মেলানো যায় না। নম্বরটি লিখে রাখুন বা নিরাপদ কোথাও কপি করে \
রাখুন।\n\n\
রসিদ বাংলা বা ইংরেজি অঙ্কে, ফাঁকা বা ড্যাশ দিয়ে বা ছাড়া লেখা যায়। বারবার ভুল রসিদ দিলে আবার চেষ্টা \
করার আগে কিছুক্ষণ অপেক্ষা করতে হয়।\n\n\
রসিদ হারালে নতুন একটি তথ্য পাঠিয়ে লিখতে পারেন যে এটি আগের একটি তথ্যের সঙ্গে যুক্ত।",
                answer_en: "After you send a tip you get a receipt number of 25 digits. It is your \
only key back to your tip: with it, on the follow-up page, you see its status, read the \
officers' questions and add information or files.\n\n\
The receipt is shown once. The server does not keep the number itself, only a keyed hash of \
it — a fingerprint from which the number cannot be worked out. So nobody, the police included, \
can look it up or send it to you again; that is also why a tip cannot be traced back to you \
through it. Write it down or copy it somewhere safe.\n\n\
You may type the receipt in Bangla or English digits, with or without spaces or dashes. After \
several wrong receipts you have to wait a while before trying again.\n\n\
If you lose it, you can send a new tip and say that it adds to an earlier one.",
            },
            SeedEntry {
                key: "tip-files",
                question_bn: "তথ্যের সঙ্গে ছবি, ভিডিও বা ভয়েস নোট পাঠানো যায়?",
                question_en: "Can I send photos, videos or voice notes with a tip?",
                answer_bn: "হ্যাঁ, একটি তথ্যের সঙ্গে, পাঠানোর সময় বা পরে ফলো-আপে, সব মিলিয়ে ৫টি পর্যন্ত \
ফাইল: JPEG, PNG, WebP ও HEIC ছবি; MP4 ও MOV ভিডিও; M4A, MP3, AMR ও OGG (Opus) ভয়েস নোট; আর পিডিএফ \
নথি। ছবি, ভয়েস নোট ও পিডিএফ ২৫ MB পর্যন্ত, ভিডিও ১০০ MB পর্যন্ত।\n\n\
কিছু রাখার আগেই ফাইলের লুকানো তথ্য (জায়গা, সময়, ফোনের কোম্পানি ও মডেল, লেখকের নাম) মুছে ফেলা হয়, \
আর ফাইলটি এনক্রিপ্ট করে রাখা হয়। কর্মকর্তারা ফাইল খুললে তা অডিট লগে লেখা থাকে।",
                answer_en: "Yes: up to 5 files in all with a tip, when you send it or later with a \
follow-up. We take JPEG, PNG, WebP and HEIC photos; MP4 and MOV videos; M4A, MP3, AMR and OGG \
(Opus) voice notes; and PDF documents. Photos, voice notes and PDFs can be up to 25 MB, videos up \
to 100 MB.\n\n\
Before anything is kept, the hidden details a file carries (place, time, the phone's make and \
model, the author's name) are removed, and the file is stored encrypted. When officers open a \
file, it is written in the audit log.",
            },
        ],
    },
    SeedGroup {
        title_bn: "জিডি ও পুলিশ ক্লিয়ারেন্স",
        title_en: "GD and police clearance",
        entries: &[
            SeedEntry {
                key: "gd",
                question_bn: "জিডি (সাধারণ ডায়েরি) কীভাবে করব?",
                question_en: "How do I file a GD (General Diary)?",
                answer_bn: "জিডি বা সাধারণ ডায়েরি থানায় করা একটি লিখিত রেকর্ড, এর জন্য কোনো টাকা লাগে \
না। যেমন পাসপোর্ট, জাতীয় পরিচয়পত্র, মোবাইল ফোন, সনদ, সিম, ড্রাইভিং লাইসেন্স বা চেক বই হারালে মানুষ \
জিডি করেন।\n\n\
হ্যালো কেএমপিতে এখনো জিডি করা যায় না। জিডি করতে থানায় যান।\n\n\
মিথ্যা জিডি করা অপরাধ।\n\n\
নাম না জানিয়ে কোনো অপরাধের কথা পুলিশকে জানাতে চাইলে গোপন তথ্য পাঠান। কেউ এখনই বিপদে থাকলে ৯৯৯-এ \
কল করুন।",
                answer_en: "A General Diary (GD) is a written record made at the thana, free of \
charge. People make one, for example, when a passport, NID card, mobile phone, certificate, SIM \
card, driving licence or cheque book is lost.\n\n\
Hello KMP cannot take a GD yet. To make one, go to the thana.\n\n\
Filing a false GD is an offence.\n\n\
To tell the police about a crime without giving your name, send a secret tip. If someone is in \
danger now, call 999.",
            },
            SeedEntry {
                key: "clearance-fee",
                question_bn: "পুলিশ ক্লিয়ারেন্স সনদের ফি কত?",
                question_en: "What is the fee for a police clearance certificate?",
                answer_bn: "ফি ৫০০ টাকা। বিদেশে ভ্রমণ, কাজ বা পড়াশোনার জন্য, আর কিছু চাকরির জন্য পুলিশ \
ক্লিয়ারেন্স সনদ লাগে।\n\n\
আবেদন হয় পাসপোর্টে ছাপা ঠিকানা অনুযায়ী: সেই ঠিকানার থানা খোঁজ নেয়, আর একজন ঊর্ধ্বতন কর্মকর্তা সনদে \
প্রতিস্বাক্ষর করেন। খুলনার মতো মেট্রোপলিটন এলাকায় সময় লাগে মোটামুটি ৫ থেকে ৭ কর্মদিবস।\n\n\
প্রতিটি সনদে একটি রেফারেন্স নম্বর ও একটি কিউআর কোড থাকে, যা দিয়ে যে কেউ অনলাইনে সনদটি যাচাই করতে \
পারেন।\n\n\
হ্যালো কেএমপিতে এখনো ক্লিয়ারেন্সের আবেদন নেওয়া হয় না।",
                answer_en: "The fee is BDT 500. A police clearance certificate is needed for travel, \
work or study abroad, and for some jobs.\n\n\
You apply according to the address printed in your passport: the thana of that address makes an \
inquiry, and a senior officer countersigns the certificate. In a metropolitan area such as \
Khulna it takes about 5 to 7 working days.\n\n\
Each certificate carries a reference number and a QR code with which anyone can check it \
online.\n\n\
Hello KMP does not take clearance applications yet.",
            },
        ],
    },
];
