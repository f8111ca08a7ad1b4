"""Arabic (MSA and Gulf/Saudi) and English function words, in the form `tokenize` yields them."""

from __future__ import annotations

# Built by hand from the words that carry no subject in complaints read for sawt: prepositions
# and their pronoun-suffixed forms, conjunctions, particles, pronouns, demonstratives and
# relatives, auxiliaries, question words, the same with a leading و where that form is common,
# the Gulf and Saudi dialect equivalents (وش، ليش، حق، مو، الحين، عشان …) and the courtesy
# formulae that open and close letters (السلام عليكم، تحيه طيبه، شاكرين …), which say nothing
# about the problem. Every entry is written as `normalize_arabic` outputs it (ا for أ إ آ, ه for
# ة, ي for ى, و for ؤ, ي for ئ, no diacritics); a test checks that. Content words that are
# frequent in complaints (خدمه، طلب، موظف …) are deliberately absent: they name themes.
STOPWORDS: frozenset[str] = frozenset(
    """
    في من الي علي عن مع حتي منذ مذ عند لدي بين نحو خلال حول ضد دون بدون عبر تحت فوق امام
    خلف وراء قبل بعد اثناء سوي عدا خلا حاشا لاجل اجل بسبب نتيجه ضمن لدن تجاه
    ب ل ك و ف ال
    به بها بهم بهما بهن بي بك بكم بنا
    له لها لهم لهما لهن لي لك لكم لنا
    فيه فيها فيهم فيهما فيك فيكم فينا
    منه منها منهم منهما مني منك منكم منا
    عنه عنها عنهم عني عنك عنكم عنا
    عليه عليها عليهم عليك عليكم علينا
    اليه اليها اليهم اليك اليكم الينا
    معه معها معهم معي معك معكم معنا معاي
    عنده عندها عندهم عندي عندك عندكم عندنا
    لديه لديها لديهم لديك لديكم لدينا
    او ام ثم بل لكن لكنه لكنها ولكن حيث اذا اذ لو لولا ان انه انها انهم اني انا انك
    كي لكي لان لانه لانها لاني كما مثل كان كانت كانوا كنت كنا يكون تكون يكونون ليس ليست
    لست قد لقد سوف س لم لن لا ما هل كيف متي اين ماذا لماذا كم اي ايه اما الا
    كل بعض غير نفس ذات جميع كلا كلتا اخر اخري
    نحن انت انتم انتما انتن هو هي هم هما هن
    هذا هذه هذان هاتان هولاء ذلك تلك ذاك اوليك هنا هناك هنالك ثمه
    الذي التي الذين اللذان اللتان اللاتي اللواتي
    ايضا فقط جدا عندما بينما حين حينما كلما لما ريثما الان اذن
    تم يتم تمت وتم ولم ولا وما وقد وكان وكانت وهو وهي وهم وهذا وهذه وذلك والذي والتي
    وفي ومن والي وعلي وعن ومع وان وانه وانا وبعد وقبل وكل ولي وله ولها ولهم
    فلم فلا فما فقد فهو فهي فان
    وش ايش شو ليش ليه وين مين منو حق حقي حقك حقه حقها حقهم حقنا حقت حقتي
    مو مب ماهو مهو مافي مافيه ماني ماكو
    كذا كذي هذي هاذي هذاك هذيك هاذا ذي
    الحين ذحين الحينه عشان علشان لين يعني بس اللي زي كمان برضو برضه
    توني تو عاد ترا تري طيب يا ياخي ايوه ابد ابدا واجد مره حيل
    احنا انتو همه راح صار صارت والله وبس وعشان واللي
    السلام ورحمه الله وبركاته تحيه طيبه مرحبا اهلا شكرا وشكرا شاكرين شاكر
    الشكر والتقدير التقدير الاحترام فايق وتقبلوا تقبلوا المحترم المحترمين سعاده
    يعطيكم العافيه جزاكم خيرا وجزاكم خير مشكورين مشكور نرجو ارجو الرجاء الافاده ردكم تقريبا
    the a an and or of to in on at by for from with is are was were be been it its this
    that these those not no i my me we our you your he she they them please
    """.split()
)


def is_stopword(token: str) -> bool:
    """Whether a normalised token (as `tokenize` yields it) is a function word."""
    return token in STOPWORDS
