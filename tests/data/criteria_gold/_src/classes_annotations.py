"""Excerpts of real records for the sentence classes of issue 11, contract 1 v2.

Each {dev,test}/classes/ID.txt holds whole list items copied verbatim from one record of the
bundled demo data (src/trialscout/data/demo/), under an Inclusion/Exclusion heading: logic and
lists, alternatives blocks, cohort lines, time windows, other-than/except qualifiers, ranges and
qualitative results. None is from the verdict benchmark's trials (../shared/data/criteria_labels).
Split by trial, about half each. Conventions as in dev_annotations.py.
"""

from gold_dsl import (
    ALL,
    ANY,
    BOTH,
    FEMALE,
    MALE,
    E,
    I,
    age,
    between,
    cond,
    lab,
    other,
    qual,
    score,
    ther,
)

O = other()  # noqa: E741 - reads as "other" in the tables
o = other
_5Y, _3Y, _6M = 1826, 1096, 183

DEV = {
    "NCT06940401": [
        E(
            "Active hepatitis B",
            "above the detection limit).",
            qual("hbsag", "positive"),
            lab("hbv_dna", ">=", 500, "IU/mL"),
            qual("anti_hcv", "positive"),
            qual("hcv_rna", "detectable"),
            logic=ANY(ALL(0, 1), ALL(2, 3)),
        ),
    ],
    "NCT04714372": [
        I(
            "Karnofsky performance status",
            "< 16 years of age",
            age(min=16),
            score("karnofsky", op=">=", value=80),
            age(min=12, max=15),
            score("lansky", op=">=", value=80),
            logic=ANY(ALL(0, 1), ALL(2, 3)),
        ),
        E(
            "Known seropositive for HIV",
            "viral load by PCR",
            qual("hiv_antibody", "positive"),
            cond("hepatitis b virus infection"),
            qual("hbv_dna", "detectable"),
            cond("hepatitis c virus infection"),
            qual("hcv_rna", "detectable"),
            logic=ANY(0, ALL(1, 2), ALL(3, 4)),
        ),
        E(
            "Clinically significant cardiovascular disease",
            "ejection fraction <40%",
            cond("cardiovascular disease"),
            o("clinically significant"),
            cond("myocardial infarction", within_days=_6M),
            o("unstable angina"),
            cond("heart failure"),
            score("nyha", ["II", "III", "IV"]),
            lab("lvef", "<", 40, "%"),
            logic=ANY(ALL(0, 1), 2, 3, ALL(4, 5), 6),
        ),
    ],
    "NCT00576225": [
        E(
            "10. Concurrent primary malignancies",
            "non-melanoma skin cancer.",
            cond(
                "cancer",
                other_than_target=True,
                exc=["carcinoma in situ", "non-melanoma skin cancer"],
            ),
        ),
        E(
            "15. Unstable medical conditions",
            "before randomization.",
            o("unstable medical conditions"),
            o("unstable angina within 6 months"),
            cond("myocardial infarction", within_days=_6M),
            logic="any",
        ),
    ],
    "NCT02652234": [
        E(
            "History of other malignant tumors",
            "skin basal cell carcinoma);",
            cond(
                "cancer",
                within_days=_5Y,
                other_than_target=True,
                exc=["curable cervix carcinoma in situ", "skin basal cell carcinoma"],
            ),
        ),
        E(
            "Patients receiving a chest",
            "surgery during the study;",
            ther("surgery", within_days=28),
            o("chest or abdominal"),
            o("surgical incision not fully healed"),
            o("expected to receive surgery during the study"),
            logic=ANY(ALL(0, 1), 2, 3),
        ),
    ],
    "NCT04204473": [
        E(
            "1. Treatment with any of the following:",
            "(CYP)3A4.",
            ther("tyrosine kinase inhibitor", within_days=14),
            o("EGFR"),
            ther("chemotherapy", within_days=28),
            ther("investigational agent", within_days=28),
            ther("anti-cancer therapy", within_days=28),
            ther("surgery", within_days=28),
            o("major"),
            ther("radiotherapy", within_days=7),
            o("limited field"),
            o("wide-field radiation or > 30% of marrow: within 4 weeks"),
            ther("tyrosine kinase inhibitor"),
            o("third-generation EGFR-TKI for T790M"),
            o("potent CYP3A4 inhibitors or inducers within 1 week"),
            logic=ANY(ALL(0, 1), 2, 3, 4, ALL(5, 6), ALL(7, 8), ALL(10, 11), 12),
        ),
        E(
            "6. Active human immunodeficiency virus",
            "hepatitis c carriers.",
            cond("hiv infection"),
            o("syphilis"),
            cond("hepatitis c virus infection", exc=["asymptomatic hepatitis c carrier"]),
            cond("hepatitis b virus infection", exc=["asymptomatic chronic hepatitis b carrier"]),
            logic="any",
        ),
    ],
    "NCT05994131": [
        E(
            "Cohort 1:",
            "other antitumor drugs.",
            ther("chemotherapy"),
            ther("targeted therapy"),
            o("besides Furmonertinib"),
            ther("immunotherapy"),
            o("biological therapy"),
            ther("anti-cancer therapy"),
            logic=ANY(0, ALL(1, 2), 3, 4, 5),
            cohort=o("Cohort 1"),
        ),
        E(
            "Cohort 2:",
            "first dose of study treatment.",
            ther("chemotherapy", within_days=28),
            ther("targeted therapy", within_days=28),
            ther("immunotherapy", within_days=28),
            o("biological therapy within 28 days"),
            ther("anti-cancer therapy", within_days=28),
            logic="any",
            cohort=o("Cohort 2"),
        ),
        E(
            "Cohort 3:",
            "biotherapy, etc.",
            ther("systemic therapy"),
            ther("chemotherapy"),
            ther("targeted therapy"),
            ther("immunotherapy"),
            o("biotherapy"),
            o("for locally-advanced or metastatic NSCLC"),
            logic=ANY(0, 1, 2, 3, 4),
            cohort=o("Cohort 3"),
        ),
    ],
    "NCT04022993": [
        I("Glycated hemoglobin", "(both values inclusive)", between("hba1c", 6.5, 12.0, "%")),
        I("Body mass index", "(both values inclusive)", between("bmi", 18.0, 35, "kg/m^2")),
    ],
    "NCT03319901": [
        E(
            "Patients with active heart disease",
            "within the last 6 months)",
            score("nyha", ["III", "IV"]),
            o("unstable angina within 6 months"),
            cond("stroke", within_days=_6M),
            cond("myocardial infarction", within_days=_6M),
            logic="any",
        ),
        E(
            "Major surgery or radiation therapy",
            "first study dose",
            ther("surgery", within_days=28),
            o("major"),
            ther("radiotherapy", within_days=28),
            logic=ANY(ALL(0, 1), 2),
        ),
    ],
    "NCT03058094": [
        I("1. Male or female", "years old.", BOTH, age(min=18, max=75)),
        E(
            "9. Significant cardiovascular disease",
            "450ms（female）.",
            cond("cardiovascular disease"),
            o("significant"),
            score("nyha", ["II", "III", "IV"]),
            cond("myocardial infarction", within_days=_6M),
            o("heart block second degree or greater"),
            MALE,
            lab("qtc", ">", 430, "ms"),
            FEMALE,
            lab("qtc", ">", 450, "ms"),
            logic=ANY(ALL(0, 1), 2, 3, 4, ALL(5, 6), ALL(7, 8)),
        ),
    ],
    "NCT00006006": [
        I(
            "No other prior malignancy",
            "carcinoma in situ of the cervix",
            cond(
                "cancer",
                False,
                within_days=_5Y,
                other_than_target=True,
                exc=["curatively resected basal cell carcinoma of the skin", "cervical cis"],
            ),
        ),
        I(
            "No prior interferon or thalidomide",
            "for hepatocellular cancer",
            ther("interferon", False),
            ther("thalidomide", False),
            o("for hepatocellular cancer"),
            logic=ALL(0, 1),
        ),
    ],
}

TEST = {
    "NCT05993949": [
        E(
            "Known infection with HIV",
            "untreated hepatitis C virus",
            cond("hiv infection"),
            qual("hbsag", "positive"),
            cond("hepatitis c virus infection"),
            o("untreated"),
            logic=ANY(0, 1, ALL(2, 3)),
        ),
    ],
    "NCT04728893": [
        I(
            "Participants who are Hepatitis B",
            "prior to randomization",
            ther("antiviral therapy"),
            o("for at least 4 weeks"),
            qual("hbv_dna", "undetectable"),
            cohort=qual("hbsag", "positive"),
        ),
        I(
            "Participants with history of Hepatitis C",
            "undetectable at screening",
            qual("hcv_rna", "undetectable"),
            cohort=cond("hepatitis c virus infection"),
        ),
    ],
    "NCT01852578": [
        E(
            "Other malignancy within the past five years",
            "carcinoma in situ of the cervix.",
            cond(
                "cancer",
                within_days=_5Y,
                other_than_target=True,
                exc=["basal cell skin cancer", "carcinoma in situ of the cervix"],
            ),
        ),
        E(
            "Prior surgery, radiation",
            "prior to treatment",
            ther("surgery", within_days=28),
            ther("radiotherapy", within_days=28),
            ther("chemotherapy", within_days=28),
            logic="any",
        ),
    ],
    "NCT04044170": [
        I("Cohort 1:", "duplication mutations)", O, cohort=o("Cohort 1")),
        I("Cohort 2:", "duplication mutations)", O, cohort=o("Cohort 2")),
        E(
            "11. Patient has an active liver disease",
            "stabilized chronic liver diseases)",
            cond(
                "liver disease",
                exc=[
                    "gilbert's disease",
                    "asymptomatic biliary stones",
                    "liver metastasis",
                    "stabilized chronic liver diseases",
                ],
            ),
            o("biliary tract disease"),
            logic="any",
        ),
        E(
            "6. Patient has had other malignancies",
            "without need of treatment",
            cond(
                "cancer",
                within_days=_3Y,
                other_than_target=True,
                exc=[
                    "stable non-melanoma skin cancer",
                    "treated stable early stage prostate cancer",
                    "carcinoma in situ of the cervix",
                    "carcinoma in situ of the breast",
                ],
            ),
        ),
        E(
            "3. Patient has had radiotherapy",
            "treatment with poziotinib",
            ther("radiotherapy", within_days=14),
            o("intention for cure"),
            ther("surgery", within_days=14),
            o("other than vascular access and minimally invasive procedures"),
            logic=ANY(ALL(0, 1), ALL(2, 3)),
        ),
    ],
    "NCT05094401": [
        E(
            "For women only:",
            "time frame of the study;",
            cond("pregnancy"),
            o("lactating"),
            o("intention of becoming pregnant during the study"),
            logic="any",
            cohort=FEMALE,
        ),
    ],
    "NCT04226105": [
        I("Glycated haemoglobin", "(both values inclusive).", between("hba1c", 7.6, 12.0, "%")),
        I("Body mass index", "(both values inclusive).", between("bmi", 18.5, 40, "kg/m^2")),
    ],
    "NCT03955198": [
        E(
            "15. Known active or chronic viral hepatitis",
            "(HCV antibody)",
            qual("hbsag", "positive"),
            qual("hcv_rna", "detectable"),
            qual("anti_hcv", "positive"),
            cond("hepatitis", within_days=_6M),
            logic="any",
        ),
    ],
    "NCT02759614": [
        E(
            "9. Current or recent",
            "anticoagulants is allowed.",
            ther("anticoagulant therapy", within_days=10),
            o("full-dose, for therapeutic purposes"),
            ther("thrombolytic therapy", within_days=10),
            o("prophylactic use of anticoagulants is allowed"),
            logic=ANY(ALL(0, 1), 2),
        ),
        E(
            "18. Treatment with any other investigational",
            "prior to randomization.",
            ther("investigational agent", within_days=28),
            o("participation in another clinical trial within 28 days"),
            logic="any",
        ),
    ],
    "NCT03416231": [
        E(
            "Patients who formerly suffered",
            "that have been cured.",
            cond(
                "cancer",
                other_than_target=True,
                exc=[
                    "cured basal cell carcinoma",
                    "cured carcinoma in situ of cervix",
                    "cured superficial bladder cancer",
                ],
            ),
            o("uncured"),
        ),
    ],
    "NCT00006198": [
        I(
            "No history of prior chemotherapy",
            "hepatocellular carcinoma.",
            ther("chemotherapy", False),
            o("no prior biologic therapy for hepatocellular carcinoma"),
        ),
        I(
            "No other history of malignancy",
            "carcinoma in situ of the cervix.",
            cond(
                "cancer",
                False,
                other_than_target=True,
                exc=["curatively resected basal cell carcinoma of the skin", "cervical cis"],
            ),
        ),
    ],
    "NCT02369484": [
        I(
            "Women of childbearing potential",
            "beginning trial treatment.",
            cond("pregnancy", False),
            cohort=ALL(FEMALE, o("of childbearing potential")),
        ),
    ],
}
