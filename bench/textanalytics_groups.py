"""Time near-duplicate grouping and theme discovery on generated Arabic complaints.

    .venv/bin/python bench/textanalytics_groups.py [duplicates_count] [themes_count]

Defaults: `near_duplicate_groups` on 50,000 texts, `discover_themes` on 5,000. The texts come
from templates: ten problems told in parts, each part phrased several ways in MSA and Saudi
dialect, with slots (services, cities, amounts, names, dates, request numbers), greetings,
asides, closings, redacted numbers, a few words from a long tail, dropped words, fillers and
typos. One text in eight is a re-sent copy of an earlier one, changed the way a second channel
changes it (spacing, punctuation, diacritics, hamza, digits, a forwarding prefix, a placeholder
moved); one in twenty is an exact repeat. The planted copies are counted so the run also says
how many were found. Wall and CPU seconds are printed: on a busy machine the second is steadier.
"""

from __future__ import annotations

import random
import sys
import time

from sawt.core.digits import arabic_digits
from sawt.textanalytics.duplicates import group_sizes, near_duplicate_groups
from sawt.textanalytics.themes import discover_themes

# Each problem is told in parts (what happened, where, since when, what the writer saw); a
# text takes one phrasing of each part, so two complaints about one problem share some words
# but seldom whole sentences, as with people writing in their own words. MSA and Saudi dialect
# are mixed.
PROBLEMS = {
    "login": [
        [
            "لا أستطيع الدخول إلى حسابي",
            "ما قدرت أسجل دخول",
            "البوابة ما تفتح معي",
            "تعذر علي تسجيل الدخول",
            "الحساب مقفل وما أقدر أدخل",
            "نسيت كلمة المرور وما أقدر أستعيدها",
        ],
        ["في {portal}", "على {portal}", "من الجوال", "من جهاز الكمبيوتر", ""],
        ["منذ {days} أيام", "من أمس", "من بداية الأسبوع", "من يومين", "كل ما أحاول"],
        [
            "بسبب خطأ في رمز التحقق",
            "والرمز ما يوصل على جوالي",
            "ويطلع لي خطأ غير معروف",
            "والصفحة تعلق وتطلعني برا",
            "ويقول الرمز غير صحيح",
            "وتظهر رسالة انتهاء الجلسة",
        ],
    ],
    "certificate": [
        [
            "تأخر إصدار {certificate}",
            "قدمت على {certificate}",
            "طلب {certificate} معلق",
            "ما طلعت {certificate}",
            "للحين ما استلمت {certificate}",
        ],
        ["أكثر من {weeks} أسابيع", "من {weeks} أسابيع", "منذ شهرين تقريباً", "من بداية الشهر"],
        [
            "رغم اكتمال جميع المتطلبات",
            "ولا أحد يرد",
            "والحالة تحت المراجعة",
            "دون أي تحديث على الطلب",
            "وكل مرة يقولون بكرة",
        ],
        ["وأحتاجها للوظيفة", "والجهة تطالبني فيها", "وأنا محتاجها ضروري", ""],
    ],
    "fees": [
        [
            "تم خصم رسوم {fee} مرتين",
            "انخصم مني مبلغ {fee} مرتين",
            "دفعت رسوم {fee} مرة وحدة",
            "ظهرت فاتورة {fee} مكررة",
            "تم سحب قيمة {fee} من البطاقة مرتين",
        ],
        ["بمبلغ {amount} ريال", "وقيمتها {amount} ريال", "يعني {amount} ريال زيادة", ""],
        [
            "ولم يتم الاسترجاع",
            "والبنك يقول راجعوا الجهة",
            "وأبي فلوسي ترجع",
            "والنظام يقول السداد ناجح",
            "ولا وصلني إشعار بالاسترداد",
        ],
    ],
    "appointment": [
        [
            "لا توجد مواعيد متاحة",
            "حجزت موعد ولما رحت قالوا ما فيه موعد",
            "تم إلغاء موعدي",
            "نظام المواعيد ما يعطيني إلا موعد بعيد",
            "ما أقدر أغير الموعد",
        ],
        ["في فرع {city}", "بفرع {city}", "عند مكتب {city}"],
        [
            "خلال الأسابيع القادمة",
            "بدون إشعار مسبق",
            "مع أني مسجل من {weeks} أسابيع",
            "والموقع يقول محجوز",
            "ومافيه بديل قريب",
        ],
    ],
    "call_centre": [
        [
            "انتظرت على الرقم الموحد",
            "اتصلت على خدمة العملاء",
            "مركز الاتصال",
            "كلمت الدعم الهاتفي",
            "حاولت أتصل بالرقم المجاني",
        ],
        ["أكثر من {minutes} دقيقة", "{times} مرات", "طول اليوم", "من الصبح"],
        [
            "ولم يرد أحد",
            "وكل مرة ينقطع الخط",
            "ويحولني من موظف لموظف",
            "وما أحد عنده جواب",
            "والرد الآلي يعيد نفس الكلام",
        ],
    ],
    "staff": [
        [
            "الموظف تعامل معي بأسلوب غير لائق",
            "موظف الاستقبال ما عطاني رقم",
            "الموظفة طلبت مني أرجع بكرة",
            "الموظف رفض استلام الأوراق",
            "الموظف ما شرح لي وش المطلوب",
        ],
        ["في فرع {city}", "بمكتب {city}", "عند الكاونتر"],
        ["بدون سبب واضح", "قدام الناس", "وكان مستعجل", "وقال مو شغلي", ""],
    ],
    "app": [
        [
            "التطبيق يقفل فجأة",
            "تطبيق الجوال لا يعمل",
            "ما أقدر أرفع الصور في التطبيق",
            "التطبيق يعلق",
            "تظهر شاشة بيضاء في التطبيق",
        ],
        ["عند رفع المستندات", "بعد التحديث الأخير", "عند فتح خدمة {service}", "وقت الدفع"],
        [
            "ويطلع خطأ في الاتصال بالخادم",
            "وحذفته ونزلته من جديد بدون فائدة",
            "على الآيفون والأندرويد",
            "",
        ],
    ],
    "refund": [
        [
            "طلبت استرداد مبلغ {amount} ريال",
            "قدمت على استرجاع {amount} ريال",
            "وعدوني يرجعون المبلغ",
            "وين فلوسي؟ طلب الاسترداد",
        ],
        ["منذ {weeks} أسابيع", "من {weeks} أسابيع", "من شهر"],
        ["ولم يصلني شيء", "وللحين ما وصل", "والحالة قيد المعالجة", "ولا أحد يرد علي"],
    ],
    "address": [
        [
            "لا يمكن تحديث العنوان الوطني",
            "أبغى أغير عنواني في النظام",
            "العنوان المسجل عندكم قديم",
            "التعديل يرفض الرمز البريدي الجديد",
        ],
        ["في {portal}", "على {portal}", ""],
        [
            "وتظهر رسالة أن البيانات غير مطابقة",
            "بس الخيار مو موجود",
            "وانتقلت من سنة",
            "والشحنات ترجع بسبب العنوان",
        ],
    ],
    "documents": [
        [
            "طلبوا مني نفس المستندات ثلاث مرات",
            "رفض الطلب بحجة نقص المستندات",
            "كل مرة يطلبون ورقة جديدة",
            "المرفقات ما تنحفظ",
        ],
        ["في {service}", "لطلب {service}", "بخدمة {service}"],
        ["مع أني رفعتها", "مع أنها كلها مرفقة", "ما كانت مذكورة في الشروط", "ومحد يوضح السبب"],
    ],
}
# Said of any problem; one to three of them, in random order, so that two originals about the
# same problem still differ the way two writers do.
ASIDES = [
    "راجعت الفرع مرتين بدون فائدة.",
    "ورقم الطلب {request}.",
    "بتاريخ {date}.",
    "وهذا الشي أثر على شغلي.",
    "وتواصلت مع الدعم الفني ولم أجد حلاً.",
    "للتواصل: [جوال]",
    "هويتي [رقم_هوية]",
    "وأنا كبير في السن وما أعرف أتعامل مع هالأمور.",
    "صار لي أكثر من {days} أيام أراجع ولا فيه نتيجة.",
    "أرسلت بريد للدعم ورد علي رد آلي فقط.",
    "وكتبت تغريدة ولا أحد تفاعل.",
    "مع العلم أن الخدمة كانت ممتازة قبل.",
    "وأخوي صار معه نفس الشي.",
    "والموظف قال المشكلة من النظام.",
    "أنا مسافر الأسبوع الجاي وأحتاج الموضوع ينحل قبل.",
    "جربت من الكمبيوتر ومن الجوال ونفس المشكلة.",
    "دفعت غرامة تأخير بسبب هذا التعطيل.",
    "ولدي موعد في المحكمة يعتمد على هذه الورقة.",
    "أعمل في {city} ولا أستطيع الحضور كل يوم.",
    "سبق أن قدمت شكوى ولم يصلني رد.",
    "الرسالة اللي توصلني ما فيها أي تفاصيل.",
    "حتى الموقع ما فيه رقم واضح للتواصل.",
    "الزحمة في الفرع كانت شديدة والانتظار طويل.",
    "أرجو ألا يتكرر هذا مع غيري.",
    "الوالدة مريضة وأنا المسؤول عن معاملاتها.",
    "هذي ثالث مرة أكتب لكم.",
    "علماً بأن جميع بياناتي محدثة.",
    "والمبلغ كبير علي كطالب.",
    "أتمنى تطوير الخدمة لأنها مهمة للناس.",
    "ما لقيت أي شرح في دليل الخدمة.",
]
SLOTS = {
    "portal": ["البوابة الإلكترونية", "المنصة", "أبشر", "بوابة الخدمات", "موقع الوزارة"],
    "certificate": ["شهادة الخبرة", "شهادة التخرج", "شهادة السجل التجاري", "شهادة الزكاة"],
    "fee": ["تجديد الرخصة", "إصدار السجل", "تجديد الإقامة", "الفحص الفني", "نقل الملكية"],
    "city": ["الرياض", "جدة", "الدمام", "مكة", "المدينة", "أبها", "تبوك", "حائل", "القصيم"],
    "service": ["تجديد الرخصة", "نقل الكفالة", "إصدار التصريح", "طلب الدعم", "تسجيل المنشأة"],
    "days": [str(n) for n in range(2, 10)],
    "weeks": [str(n) for n in range(2, 9)],
    "minutes": ["20", "30", "45", "60", "90"],
    "times": ["ثلاث", "أربع", "خمس", "عشر"],
}
GREETINGS = [
    "",
    "",
    "السلام عليكم،",
    "السلام عليكم ورحمة الله وبركاته، سعادة مدير خدمة العملاء المحترم،",
    "مساء الخير،",
    "الله يعطيكم العافية،",
    "بعد التحية،",
]
CLOSINGS = ["", "", "أرجو المتابعة.", "وشكراً.", "ياليت تحلون الموضوع بسرعة.", "وتقبلوا تحياتي."]
# Specifics that make real complaints differ even about one problem: places, people, codes.
HOODS = (
    "النرجس الياسمين الملقا العليا السليمانية الروضة النسيم الشفا العزيزية الحمراء الصفا "
    "المروة الفيصلية البوادي الخالدية الشاطئ الربوة السلامة النزهة الورود الرحاب المنار "
    "الفيحاء الجزيرة اليرموك القدس الندى الصحافة العقيق الغدير الواحة"
).split()
STREETS = (
    "الأمير سلطان الملك فهد التحلية العروبة الستين الثلاثين صاري فلسطين المدينة حراء "
    "الأربعين الخليج الظهران عثمان الحزام الدائري الشرقي الغربي الجامعة المطار"
).split()
NAMES = (
    "محمد عبدالله فهد خالد سعد ناصر عبدالرحمن فيصل سلطان تركي ماجد بندر نورة سارة "
    "هيا ريم منيرة لطيفة أمل عبير مشاعل وليد هشام ياسر طلال منصور حمد راشد بدر غادة"
).split()
SPECIFICS = [
    "ساكن في حي {hood}.",
    "الفرع اللي في شارع {street}.",
    "الموظف اسمه {name}.",
    "كلمت الموظفة {name} وقالت بتتابع.",
    "رسالة الخطأ: {code}.",
    "الساعة {time} تقريباً.",
    "باسم {name} {name2}.",
    "المعاملة باسم والدي {name}.",
]
# Real texts carry a long tail of words that templates lack (and that decide how selective the
# rare n-grams are). A few words per text stand for it, drawn from the forms that Arabic roots,
# patterns and clitics make (some real words, some not).
ROOTS = (
    "كتب درس عمل طلب دفع سجل رفع خدم وصل قبل رفض نظر حفظ فحص صرف نقل حجز وعد سأل جمع "
    "فتح غلق حسب قدم رجع سكن صدر ورد حول شرح علم ترك لحق نفذ عرض حضر غرم مدد جدد ربط "
    "سلم ضمن فرض كشف قرر لزم مهل نسخ وثق صلح عطل حدث برمج دخل خرج بلغ"
).split()
PATTERNS = [
    "{0}{1}{2}",
    "{0}ا{1}{2}",
    "م{0}{1}و{2}",
    "ت{0}{1}ي{2}",
    "است{0}{1}ا{2}",
    "م{0}{1}{2}",
    "{0}{1}ا{2}",
    "{0}{1}ي{2}",
    "ي{0}{1}{2}",
    "ت{0}{1}{2}",
    "م{0}ا{1}{2}",
    "ان{0}{1}ا{2}",
]
PREFIXES = ["", "", "", "و", "ال", "وال", "ب", "بال", "لل", "ف"]
SUFFIXES = ["", "", "", "ه", "ها", "هم", "ي", "نا", "ات", "ين", "ة"]
FILLERS = ["صراحة", "والله", "للأسف", "فعلاً", "جداً", "أبداً", "تقريباً", "كالعادة", "دايم", "اليوم"]
FORWARDS = ["إلحاقاً لشكواي السابقة: ", "للتذكير: ", "أعيد إرسال الشكوى: ", "Fwd: "]


def _original(rng: random.Random) -> str:
    theme = rng.choice(list(PROBLEMS))
    fill = {name: rng.choice(values) for name, values in SLOTS.items()}
    fill["amount"] = str(rng.randrange(50, 5000, 10))
    fill["request"] = str(rng.randint(4_000_000, 4_999_999))
    fill["date"] = f"1445/{rng.randint(1, 12):02d}/{rng.randint(1, 29):02d}"
    fill["hood"], fill["street"] = rng.choice(HOODS), rng.choice(STREETS)
    fill["name"], fill["name2"] = rng.choice(NAMES), rng.choice(NAMES)
    fill["code"] = f"{rng.choice('ABEKNRS')}{rng.randint(100, 999)}"
    fill["time"] = f"{rng.randint(7, 22)}:{rng.choice(['00', '15', '30', '45'])}"
    problem = " ".join(rng.choice(part) for part in PROBLEMS[theme])
    parts = [rng.choice(GREETINGS), " ".join(problem.split()).format(**fill) + "."]
    extras = rng.sample(ASIDES, rng.choice([1, 2, 2, 3])) + rng.sample(SPECIFICS, rng.randint(1, 2))
    rng.shuffle(extras)
    parts.extend(extra.format(**fill) for extra in extras)
    parts.append(" ".join(_own_word(rng) for _ in range(rng.randint(3, 8))) + ".")
    parts.append(rng.choice(CLOSINGS))
    text = _in_own_words(rng, " ".join(p for p in parts if p))
    return arabic_digits(text) if rng.random() < 0.2 else text


def _own_word(rng: random.Random) -> str:
    root = rng.choice(ROOTS)
    return rng.choice(PREFIXES) + rng.choice(PATTERNS).format(*root) + rng.choice(SUFFIXES)


def _in_own_words(rng: random.Random, text: str) -> str:
    """Drop a word here and there, add fillers and typos, as two people telling one story do."""
    words = []
    for word in text.split():
        roll = rng.random()
        if roll < 0.08 and not word.startswith("["):
            continue
        if roll > 0.96 and len(word) > 3 and word.isalpha():
            k = rng.randrange(1, len(word) - 1)  # a letter dropped or two swapped
            swapped = word[: k - 1] + word[k] + word[k - 1] + word[k + 1 :]
            word = word[:k] + word[k + 1 :] if roll > 0.98 else swapped
        words.append(word)
        if roll < 0.12:
            words.append(rng.choice(FILLERS))
    return " ".join(words)


def _resent(rng: random.Random, text: str) -> str:
    """The same complaint as another channel delivers it."""
    if rng.random() < 0.5:
        text = text.replace("،", " ,").replace(".", " ").replace("  ", " \n ")
    if rng.random() < 0.4:
        text = text.replace("أ", "ا").replace("إ", "ا").replace("ة ", "ه ")
    if rng.random() < 0.3:
        text = text.replace("ال", "الْ", 2)
    if rng.random() < 0.3:
        text = arabic_digits(text)
    if rng.random() < 0.3:
        text = rng.choice(FORWARDS) + text
    if "[جوال]" in text and rng.random() < 0.5:
        text = text.replace("للتواصل: [جوال]", "") + " جوالي [جوال]"
    return text


def texts(count: int, seed: int = 11) -> tuple[list[str], list[tuple[int, int]]]:
    """`count` texts and the (original, copy) index pairs planted among them."""
    rng = random.Random(seed)
    out: list[str] = []
    planted: list[tuple[int, int]] = []
    for i in range(count):
        roll = rng.random()
        if out and roll < 0.125:
            source = rng.randrange(len(out))
            out.append(_resent(rng, out[source]))
            planted.append((source, i))
        elif out and roll < 0.175:
            out.append(out[rng.randrange(len(out))])
        else:
            out.append(_original(rng))
    return out, planted


def bench_duplicates(count: int) -> None:
    sample, planted = texts(count)
    started, cpu = time.perf_counter(), time.process_time()
    groups = near_duplicate_groups(sample)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    sizes = group_sizes(groups)
    found = sum(groups[a] == groups[b] for a, b in planted)
    print(
        f"near_duplicate_groups: {count:,} texts in {seconds:.2f} s ({cpu:.2f} s CPU); "
        f"{len(sizes):,} groups, "
        f"{sum(1 for s in sizes.values() if s > 1):,} with more than one text, largest "
        f"{max(sizes.values())}; planted copies found {found:,}/{len(planted):,}"
    )


def bench_themes(count: int) -> None:
    sample, _ = texts(count, seed=12)
    started, cpu = time.perf_counter(), time.process_time()
    themes = discover_themes(sample)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"discover_themes: {count:,} texts in {seconds:.2f} s ({cpu:.2f} s CPU); "
        f"{len(themes)} themes"
    )
    for theme in themes:
        print(f"  {theme.size:5d}  {' · '.join(theme.top_terms)}")


def main() -> None:
    duplicates_count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    themes_count = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
    bench_duplicates(duplicates_count)
    bench_themes(themes_count)


if __name__ == "__main__":
    main()
