"""What a fresh portal's CRM reference lists hold: lead statuses, sources, contact and company types...

``crm.status`` keeps every list as an ENTITY_ID; a new portal installs these items
(``CCrmStatus::InstallDefault`` and its ``GetDefault*`` lists in the core,
``SC:core-corp:modules/crm/classes/general/crm_status.php``). SYSTEM and SEMANTICS and the lead
statuses' colours are the core's; a SYSTEM item is deleted only with ``params[FORCED]=Y``.

Settled by the core: STATUS (NEW and CONVERTED/JUNK are SYSTEM, IN_PROCESS and PROCESSED are not),
SOURCE (CALL, WEBFORM, CALLBACK, RC_GENERATOR, STORE are SYSTEM), CONTACT_TYPE, COMPANY_TYPE (none
SYSTEM), EMPLOYEES (EMPLOYEES_1 SYSTEM). Not installed by that function, so UNVERIFIED: DEAL_TYPE,
INDUSTRY and HONORIFIC (codes as the UI shows them; SYSTEM assumed N). The English and Russian
names follow the UI's words (the language files were not read: UNVERIFIED wording).
"""

from __future__ import annotations

# ENTITY_ID -> (code, sort, system, semantics, colour, {lang: name}).
Item = tuple[str, int, str, str | None, str | None, dict[str, str]]

DEFAULT_DIRECTORIES: dict[str, tuple[Item, ...]] = {
    "STATUS": (
        ("NEW", 10, "Y", None, "#39A8EF", {"ru": "Не обработан", "en": "Unassigned"}),
        ("IN_PROCESS", 20, "N", None, "#2FC6F6", {"ru": "В работе", "en": "In progress"}),
        ("PROCESSED", 30, "N", None, "#55D0E0", {"ru": "Обработан", "en": "Processed"}),
        ("CONVERTED", 40, "Y", "S", "#7BD500", {"ru": "Качественный лид", "en": "Good lead"}),
        ("JUNK", 50, "Y", "F", "#FF5752", {"ru": "Некачественный лид", "en": "Junk lead"}),
    ),
    "SOURCE": (
        ("CALL", 10, "Y", None, None, {"ru": "Звонок", "en": "Call"}),
        ("EMAIL", 20, "N", None, None, {"ru": "Электронная почта", "en": "E-Mail"}),
        ("WEB", 30, "N", None, None, {"ru": "Веб-сайт", "en": "Website"}),
        ("ADVERTISING", 40, "N", None, None, {"ru": "Реклама", "en": "Advertising"}),
        ("PARTNER", 50, "N", None, None, {"ru": "Существующий клиент", "en": "Existing client"}),
        ("RECOMMENDATION", 60, "N", None, None, {"ru": "По рекомендации", "en": "By recommendation"}),
        ("TRADE_SHOW", 70, "N", None, None, {"ru": "Выставка", "en": "Show/Exhibition"}),
        ("WEBFORM", 75, "Y", None, None, {"ru": "CRM-форма", "en": "CRM form"}),
        ("CALLBACK", 77, "Y", None, None, {"ru": "Обратный звонок", "en": "Callback"}),
        ("RC_GENERATOR", 78, "Y", None, None, {"ru": "Генератор продаж", "en": "Sales boost"}),
        ("STORE", 79, "Y", None, None, {"ru": "Интернет-магазин", "en": "Online store"}),
        ("OTHER", 80, "N", None, None, {"ru": "Другое", "en": "Other"}),
    ),
    "DEAL_TYPE": (
        ("SALE", 10, "Y", None, None, {"ru": "Продажа", "en": "Sales"}),
        ("COMPLEX", 20, "Y", None, None, {"ru": "Комплексная продажа", "en": "Integrated sale"}),
        ("GOODS", 30, "N", None, None, {"ru": "Продажа товара", "en": "Merchandise sale"}),
        ("SERVICES", 40, "N", None, None, {"ru": "Продажа услуги", "en": "Service sale"}),
        ("SERVICE", 50, "N", None, None, {"ru": "Сервисное обслуживание", "en": "After-sales service"}),
    ),
    "CONTACT_TYPE": (
        ("CLIENT", 10, "N", None, None, {"ru": "Клиенты", "en": "Clients"}),
        ("SUPPLIER", 20, "N", None, None, {"ru": "Поставщики", "en": "Suppliers"}),
        ("PARTNER", 30, "N", None, None, {"ru": "Партнеры", "en": "Partners"}),
        ("OTHER", 40, "N", None, None, {"ru": "Другое", "en": "Other"}),
    ),
    "COMPANY_TYPE": (
        ("CUSTOMER", 10, "N", None, None, {"ru": "Клиент", "en": "Client"}),
        ("SUPPLIER", 20, "N", None, None, {"ru": "Поставщик", "en": "Supplier"}),
        ("COMPETITOR", 30, "N", None, None, {"ru": "Конкурент", "en": "Competitor"}),
        ("PARTNER", 40, "N", None, None, {"ru": "Партнер", "en": "Partner"}),
        ("OTHER", 50, "N", None, None, {"ru": "Другое", "en": "Other"}),
    ),
    "EMPLOYEES": (
        ("EMPLOYEES_1", 10, "Y", None, None, {"ru": "менее 50", "en": "fewer than 50"}),
        ("EMPLOYEES_2", 20, "N", None, None, {"ru": "50-250", "en": "50-250"}),
        ("EMPLOYEES_3", 30, "N", None, None, {"ru": "250-500", "en": "250-500"}),
        ("EMPLOYEES_4", 40, "N", None, None, {"ru": "более 500", "en": "over 500"}),
    ),
    "INDUSTRY": (
        ("IT", 10, "N", None, None, {"ru": "Информационные технологии", "en": "Information Technology"}),
        ("TELECOM", 20, "N", None, None, {"ru": "Телекоммуникации и связь", "en": "Telecommunication"}),
        ("MANUFACTURING", 30, "N", None, None, {"ru": "Производство", "en": "Manufacturing"}),
        ("BANKING", 40, "N", None, None, {"ru": "Банковские услуги", "en": "Banking Services"}),
        ("CONSULTING", 50, "N", None, None, {"ru": "Консалтинг", "en": "Consulting"}),
        ("FINANCE", 60, "N", None, None, {"ru": "Финансы", "en": "Finance"}),
        ("GOVERNMENT", 70, "N", None, None, {"ru": "Правительство", "en": "Government"}),
        ("DELIVERY", 80, "N", None, None, {"ru": "Доставка", "en": "Delivery"}),
        ("ENTERTAINMENT", 90, "N", None, None, {"ru": "Развлечения", "en": "Entertainment"}),
        ("NOTPROFIT", 100, "N", None, None, {"ru": "Не для получения прибыли", "en": "Non-profit"}),
        ("OTHER", 110, "N", None, None, {"ru": "Другое", "en": "Other"}),
    ),
    "HONORIFIC": (
        ("HNR_RU_1", 10, "N", None, None, {"ru": "г-н", "en": "Mr."}),
        ("HNR_RU_2", 20, "N", None, None, {"ru": "г-жа", "en": "Mrs."}),
    ),
}

# crm.status.entity.types' names, as the docs' example answers print them
# (api-reference/crm/status/crm-status-entity-types.md, English and Russian pages).
DIRECTORY_NAMES = {
    "STATUS": {"ru": "Стадии лида", "en": "Lead Stages"},
    "SOURCE": {"ru": "Источники", "en": "Sources"},
    "CONTACT_TYPE": {"ru": "Тип контакта", "en": "Contact Type"},
    "COMPANY_TYPE": {"ru": "Тип компании", "en": "Company Type"},
    "EMPLOYEES": {"ru": "Кол-во сотрудников", "en": "Number of Employees"},
    "INDUSTRY": {"ru": "Сфера деятельности", "en": "Industry"},
    "DEAL_TYPE": {"ru": "Тип сделки", "en": "Deal Type"},
    "HONORIFIC": {"ru": "Обращения", "en": "Honorifics"},
    "DEAL_STAGE": {"ru": "Стадии сделки", "en": "Deal stages"},
}
REFERENCE_LISTS = (
    "STATUS", "SOURCE", "CONTACT_TYPE", "COMPANY_TYPE", "EMPLOYEES", "INDUSTRY", "DEAL_TYPE", "HONORIFIC",
)  # fmt: skip
"""The lead statuses and plain lists every portal has, in the docs' crm.status.entity.types order."""
