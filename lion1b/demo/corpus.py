"""Deterministic prose, PII and hard negatives for the demo website.

Everything here is written for lion1b (templates + word lists, no copied text). Sentences are built from
several independent slots (subject, action, time, place, reason) so two articles share few word 5-grams and
a dedupe stage sees them as distinct, while every sentence still reads as punctuated prose that quality
filters keep; no phrase is used twice within one article (`Deck`), so Gopher's repetition rules keep it too.
All randomness comes from a `random.Random` the caller seeds, so a seed gives the same bytes on every run
and every Python (string seeds are hashed with SHA-512, not with PYTHONHASHSEED).
"""

from __future__ import annotations

import random
import string
import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

LANGS = ("en", "de", "fr", "es", "ja")

# Per language: slot lists. German actions are "aux|rest" so a time phrase can go in the middle (V2 order).
WORDS: dict[str, dict[str, list[str]]] = {
    "en": {
        "subject": [
            "the city council", "the regional transport authority", "a small research team at the university",
            "the local football club", "the regional weather service", "the museum of city history",
            "a group of volunteer gardeners", "the health department", "the largest hospital in the region",
            "a young software company", "the public library", "the farmers' cooperative", "the school board",
            "the harbour administration", "a bakery in the old town", "the environmental agency",
            "the fire brigade", "the tourist office", "a neighbourhood association in the east end",
            "the chamber of commerce", "the youth orchestra", "the water utility",
        ],
        "action": [
            "approved a new budget for the coming year", "presented a plan to extend the tram network",
            "published a detailed report on air quality", "opened a second branch near the old market",
            "announced a series of free evening concerts", "started a trial of electric cargo bikes",
            "postponed the vote on the new parking rules", "recorded the warmest spring in forty years",
            "hired twelve additional nurses for the night shift", "raised the price of the monthly pass",
            "launched a programme to repair old bicycles", "restored the stained glass windows of the town hall",
            "asked residents to save water during the dry weeks", "signed an agreement with two neighbouring towns",
            "doubled the number of reading rooms", "collected more than two tons of litter from the river banks",
            "tested a new method for sorting plastic waste", "cancelled the autumn festival for safety reasons",
            "invited pupils to design the new playground", "measured the noise levels along the main road",
        ],
        "time": [
            "on Monday", "last week", "earlier this month", "after months of debate", "on Thursday evening",
            "during the summer break", "at the end of the year", "for the first time since 2019", "late on Friday",
            "this morning",
            "on Tuesday afternoon", "over the weekend", "in early spring", "two days ago",
            "shortly before the holidays", "after a long night of talks",
        ],
        "place": [
            "in the old town", "near the central station", "along the river", "in the northern districts",
            "at the harbour", "on the edge of the city", "in three nearby villages", "at the main campus",
            "across the whole region", "in the market square",
            "in the southern suburbs", "next to the new stadium", "behind the cathedral",
            "in the industrial park", "on the university hill", "close to the airport",
            "in the western valley", "outside the city walls",
        ],
        "reason": [
            "because the old system had become too expensive", "after many residents had complained",
            "although several members voted against it", "as demand has grown steadily",
            "so that families can plan ahead", "while the final costs remain unclear",
            "since the current contract expires in March", "even though the weather was against them",
            "which surprised many observers", "as the summer season approaches",
        ],
        "comment": [
            "According to the latest figures, about {num} people took part, {pct} percent more than last year.",
            "{name}, who has followed the project from the start, said the results were better than expected.",
            "Critics argue that the money would be better spent on schools and housing.",
            "The next meeting is planned for early spring, and the public is invited to attend.",
            "Several shop owners said they were worried about the construction work in front of their doors.",
            "Officials stressed that the changes will be reviewed after a period of {num} days.",
            "Not everyone is convinced: a petition against the plan has already collected {num} signatures.",
            "The total cost is estimated at {num} euros, most of it paid from a regional fund.",
            "For now, the old rules remain in force until the end of the month.",
            "Experts point out that similar projects in other cities took years to show results.",
            "Visitors can find more information at the help desk in the town hall.",
            "It is the third time in a decade that the question has come up.",
            "Many residents welcomed the decision, while others asked for more details.",
            "A final report is expected before the summer, according to a spokeswoman.",
        ],
        "quote": [
            "“We have waited a long time for this moment,” said {name}.",
            "“This is only the first step,” {name} explained during the presentation.",
            "“Nobody likes to pay more, but the numbers speak for themselves,” said {name} of the finance committee.",
            "“The feedback from the neighbourhood has been very positive so far,” {name} told reporters.",
            "“We will listen carefully before we decide anything else,” {name} promised.",
        ],
        "name": [
            "Laura Bennett", "Martin Hughes", "Sofia Alvarez", "James Okafor", "Emily Carter", "Daniel Brooks",
            "Hannah Whitfield", "Peter Lindqvist",
        ],
        "connector": ["Meanwhile,", "At the same time,", "In a separate decision,", "Earlier,", "In addition,"],
        "subhead": [
            "What happens next", "Reactions from the neighbourhood", "The numbers behind the decision",
            "A long debate", "Costs and funding", "Looking ahead",
        ],
        "update": ["Update: this article was revised after publication to correct a figure."],
    },
    "de": {
        "subject": [
            "die Stadtverwaltung", "der Verkehrsverbund der Region", "ein kleines Forschungsteam der Universität",
            "der örtliche Fußballverein", "der regionale Wetterdienst", "das Museum für Stadtgeschichte",
            "eine Gruppe ehrenamtlicher Gärtner", "das Gesundheitsamt", "das größte Krankenhaus der Region",
            "ein junges Softwareunternehmen", "die Stadtbibliothek", "die Genossenschaft der Landwirte",
            "der Schulrat", "die Hafenverwaltung", "eine Bäckerei aus der Altstadt", "das Umweltamt",
            "die Feuerwehr", "das Fremdenverkehrsamt", "ein Nachbarschaftsverein aus dem Osten der Stadt",
            "die Industrie- und Handelskammer", "das Jugendorchester", "der Wasserversorger",
        ],
        "action": [
            "hat|einen neuen Haushalt für das kommende Jahr beschlossen",
            "hat|einen Plan zur Erweiterung des Straßenbahnnetzes vorgestellt",
            "hat|einen ausführlichen Bericht zur Luftqualität veröffentlicht",
            "hat|eine zweite Filiale am alten Markt eröffnet",
            "hat|eine Reihe kostenloser Abendkonzerte angekündigt",
            "hat|einen Versuch mit elektrischen Lastenrädern gestartet",
            "hat|die Abstimmung über die neuen Parkregeln verschoben",
            "hat|den wärmsten Frühling seit vierzig Jahren gemessen",
            "hat|zwölf zusätzliche Pflegekräfte für die Nachtschicht eingestellt",
            "hat|den Preis für die Monatskarte erhöht",
            "hat|ein Programm zur Reparatur alter Fahrräder ins Leben gerufen",
            "hat|die bunten Glasfenster des Rathauses restauriert",
            "hat|die Bewohner in den trockenen Wochen zum Wassersparen aufgerufen",
            "hat|eine Vereinbarung mit zwei Nachbargemeinden unterzeichnet",
            "hat|die Zahl der Lesesäle verdoppelt",
            "hat|mehr als zwei Tonnen Müll am Flussufer gesammelt",
            "hat|ein neues Verfahren zur Sortierung von Plastikmüll getestet",
            "hat|das Herbstfest aus Sicherheitsgründen abgesagt",
            "hat|Schülerinnen und Schüler zur Gestaltung des neuen Spielplatzes eingeladen",
            "hat|den Lärm entlang der Hauptstraße gemessen",
        ],
        "time": [
            "am Montag", "in der vergangenen Woche", "Anfang dieses Monats", "nach monatelanger Diskussion",
            "am Donnerstagabend", "während der Sommerferien", "zum Jahresende", "zum ersten Mal seit 2019",
            "am späten Freitag", "heute Morgen",
            "am Dienstagnachmittag", "über das Wochenende", "im zeitigen Frühjahr", "vor zwei Tagen",
            "kurz vor den Feiertagen", "nach einer langen Verhandlungsnacht",
        ],
        "place": [
            "in der Altstadt", "in der Nähe des Hauptbahnhofs", "entlang des Flusses", "in den nördlichen Stadtteilen",
            "am Hafen", "am Stadtrand", "in drei Dörfern im Umland", "auf dem Hauptcampus", "in der gesamten Region",
            "auf dem Marktplatz",
            "in den südlichen Vororten", "neben dem neuen Stadion", "hinter dem Dom",
            "im Gewerbegebiet", "auf dem Universitätshügel", "in der Nähe des Flughafens",
            "im westlichen Tal", "vor den Toren der Stadt",
        ],
        "reason": [
            "weil das alte System zu teuer geworden war", "nachdem sich viele Anwohner beschwert hatten",
            "obwohl mehrere Mitglieder dagegen gestimmt hatten", "da die Nachfrage stetig gewachsen ist",
            "damit Familien besser planen können", "während die endgültigen Kosten noch unklar sind",
            "weil der bisherige Vertrag im März ausläuft", "obwohl das Wetter nicht mitgespielt hat",
            "was viele Beobachter überrascht hat", "da die Sommersaison näher rückt",
        ],
        "comment": [
            "Nach den neuesten Zahlen nahmen rund {num} Menschen teil, das sind {pct} Prozent mehr als im Vorjahr.",
            "{name} begleitet das Projekt seit Beginn und hält die Ergebnisse für besser als erwartet.",
            "Kritiker meinen, das Geld wäre in Schulen und Wohnungen besser angelegt.",
            "Die nächste Sitzung ist für das Frühjahr geplant, und die Öffentlichkeit ist herzlich eingeladen.",
            "Mehrere Ladenbesitzer äußerten Sorgen wegen der Bauarbeiten vor ihren Türen.",
            "Die Verantwortlichen betonten, dass die Änderungen nach {num} Tagen überprüft werden.",
            "Nicht alle sind überzeugt: Eine Petition gegen den Plan hat bereits {num} Unterschriften gesammelt.",
            "Die Gesamtkosten werden auf {num} Euro geschätzt, der größte Teil stammt aus einem Landesfonds.",
            "Vorerst bleiben die alten Regeln bis zum Monatsende in Kraft.",
            "Fachleute weisen darauf hin, dass ähnliche Projekte in anderen Städten Jahre gebraucht haben.",
            "Weitere Informationen gibt es am Infoschalter im Rathaus.",
            "Es ist bereits das dritte Mal in zehn Jahren, dass die Frage auf den Tisch kommt.",
            "Viele Anwohner begrüßten die Entscheidung, andere wünschten sich mehr Einzelheiten.",
            "Ein Abschlussbericht soll laut einer Sprecherin vor dem Sommer vorliegen.",
        ],
        "quote": [
            "„Wir haben lange auf diesen Moment gewartet“, sagte {name}.",
            "„Das ist nur der erste Schritt“, erklärte {name} bei der Vorstellung.",
            "„Niemand zahlt gern mehr, aber die Zahlen sprechen für sich“, sagte {name} aus dem Finanzausschuss.",
            "„Die Rückmeldungen aus der Nachbarschaft sind bisher sehr positiv“, sagte {name} vor Journalisten.",
            "„Wir hören genau zu, bevor wir weitere Schritte beschließen“, versprach {name}.",
        ],
        "name": [
            "Anna Becker", "Jonas Hoffmann", "Miriam Schulz", "Tobias Wagner", "Katrin Vogel", "Felix Neumann",
            "Lena Hartmann", "Stefan Krüger",
        ],
        "connector": ["Unterdessen", "Zugleich", "In einer weiteren Entscheidung", "Zuvor", "Außerdem"],
        "subhead": [
            "Wie es weitergeht", "Reaktionen aus der Nachbarschaft", "Die Zahlen hinter der Entscheidung",
            "Eine lange Debatte", "Kosten und Finanzierung", "Ausblick",
        ],
        "update": ["Aktualisierung: Dieser Artikel wurde nach der Veröffentlichung korrigiert."],
    },
    "fr": {
        "subject": [
            "la mairie", "l'autorité régionale des transports", "une petite équipe de chercheurs de l'université",
            "le club de football local", "le service météorologique régional", "le musée d'histoire de la ville",
            "un groupe de jardiniers bénévoles", "le service de santé", "le plus grand hôpital de la région",
            "une jeune entreprise de logiciels", "la bibliothèque municipale", "la coopérative agricole",
            "le conseil scolaire", "l'administration du port", "une boulangerie de la vieille ville",
            "l'agence de l'environnement",
            "la caserne des pompiers", "l'office de tourisme", "une association de quartier de l'est de la ville",
            "la chambre de commerce", "l'orchestre des jeunes", "la régie des eaux",
        ],
        "action": [
            "a adopté un nouveau budget pour l'année prochaine", "a présenté un projet d'extension du tramway",
            "a publié un rapport détaillé sur la qualité de l'air",
            "a ouvert une deuxième boutique près du vieux marché",
            "a annoncé une série de concerts gratuits en soirée", "a lancé un essai de vélos cargo électriques",
            "a reporté le vote sur les nouvelles règles de stationnement",
            "a enregistré le printemps le plus chaud depuis quarante ans",
            "a recruté douze infirmières supplémentaires pour la nuit", "a augmenté le prix de l'abonnement mensuel",
            "a lancé un programme de réparation de vieux vélos", "a restauré les vitraux de l'hôtel de ville",
            "a demandé aux habitants d'économiser l'eau", "a signé un accord avec deux communes voisines",
            "a doublé le nombre de salles de lecture",
            "a ramassé plus de deux tonnes de déchets au bord de la rivière",
            "a testé une nouvelle méthode de tri des plastiques",
            "a annulé la fête d'automne pour des raisons de sécurité",
            "a invité les élèves à dessiner la nouvelle aire de jeux",
            "a mesuré le bruit le long de la route principale",
        ],
        "time": [
            "lundi", "la semaine dernière", "au début du mois", "après des mois de débat", "jeudi soir",
            "pendant les vacances d'été", "à la fin de l'année", "pour la première fois depuis 2019",
            "vendredi en fin de journée", "ce matin",
            "mardi après-midi", "pendant le week-end", "au début du printemps", "il y a deux jours",
            "peu avant les fêtes", "après une longue nuit de négociations",
        ],
        "place": [
            "dans la vieille ville", "près de la gare centrale", "le long de la rivière", "dans les quartiers nord",
            "sur le port", "en périphérie de la ville", "dans trois villages voisins", "sur le campus principal",
            "dans toute la région", "sur la place du marché",
            "dans la banlieue sud", "à côté du nouveau stade", "derrière la cathédrale",
            "dans la zone industrielle", "sur la colline de l'université", "près de l'aéroport",
            "dans la vallée de l'ouest", "hors des remparts",
        ],
        "reason": [
            "car l'ancien système était devenu trop cher", "après de nombreuses plaintes des riverains",
            "bien que plusieurs membres aient voté contre", "puisque la demande ne cesse de croître",
            "afin que les familles puissent s'organiser", "alors que le coût final reste incertain",
            "car le contrat actuel expire en mars", "malgré une météo peu favorable",
            "ce qui a surpris de nombreux observateurs", "à l'approche de la saison estivale",
        ],
        "comment": [
            "Selon les derniers chiffres, environ {num} personnes sont venues, soit {pct} % de plus que l'an dernier.",
            "{name}, qui suit le projet depuis le début, estime que les résultats dépassent les attentes.",
            "Les critiques estiment que cet argent serait mieux utilisé pour les écoles et le logement.",
            "La prochaine réunion est prévue au printemps et elle sera ouverte au public.",
            "Plusieurs commerçants se disent inquiets des travaux devant leur vitrine.",
            "Les responsables ont souligné que les changements seront évalués après {num} jours.",
            "Tout le monde n'est pas convaincu : une pétition contre le projet a déjà recueilli {num} signatures.",
            "Le coût total est estimé à {num} euros, financés en grande partie par un fonds régional.",
            "Pour l'instant, les anciennes règles restent en vigueur jusqu'à la fin du mois.",
            "Les spécialistes rappellent que des projets similaires ont mis des années à porter leurs fruits.",
            "Plus d'informations sont disponibles à l'accueil de la mairie.",
            "C'est la troisième fois en dix ans que la question revient sur la table.",
            "De nombreux habitants ont salué la décision, tandis que d'autres demandent plus de précisions.",
            "Un rapport final est attendu avant l'été, selon une porte-parole.",
        ],
        "quote": [
            "« Nous attendions ce moment depuis longtemps », a déclaré {name}.",
            "« Ce n'est qu'une première étape », a expliqué {name} lors de la présentation.",
            "« Personne n'aime payer plus, mais les chiffres parlent d'eux-mêmes », a affirmé {name}.",
            "« Les retours du quartier sont très positifs jusqu'ici », a confié {name} aux journalistes.",
            "« Nous écouterons attentivement avant de décider quoi que ce soit », a promis {name}.",
        ],
        "name": [
            "Claire Dubois", "Julien Moreau", "Camille Laurent", "Nicolas Girard", "Élodie Fontaine",
            "Mathieu Lefèvre", "Sophie Marchand", "Antoine Rousseau",
        ],
        "connector": ["Par ailleurs,", "Dans le même temps,", "Dans une autre décision,", "Auparavant,", "En outre,"],
        "subhead": [
            "Et maintenant ?", "Les réactions du quartier", "Les chiffres derrière la décision", "Un long débat",
            "Coûts et financement", "Perspectives",
        ],
        "update": ["Mise à jour : cet article a été corrigé après sa publication."],
    },
    "es": {
        "subject": [
            "el ayuntamiento", "la autoridad regional de transporte",
            "un pequeño equipo de investigadores de la universidad",
            "el club de fútbol local", "el servicio meteorológico regional", "el museo de historia de la ciudad",
            "un grupo de jardineros voluntarios", "el departamento de sanidad", "el hospital más grande de la región",
            "una joven empresa de software", "la biblioteca municipal", "la cooperativa agrícola", "el consejo escolar",
            "la autoridad portuaria", "una panadería del casco antiguo", "la agencia de medio ambiente",
            "el cuerpo de bomberos", "la oficina de turismo", "una asociación vecinal del este de la ciudad",
            "la cámara de comercio", "la orquesta juvenil", "la empresa municipal de aguas",
        ],
        "action": [
            "aprobó un nuevo presupuesto para el próximo año", "presentó un plan para ampliar la red de tranvía",
            "publicó un informe detallado sobre la calidad del aire",
            "abrió una segunda tienda cerca del mercado viejo",
            "anunció una serie de conciertos gratuitos por la noche",
            "inició una prueba con bicicletas eléctricas de carga",
            "aplazó la votación sobre las nuevas normas de aparcamiento",
            "registró la primavera más cálida en cuarenta años",
            "contrató a doce enfermeras más para el turno de noche", "subió el precio del abono mensual",
            "puso en marcha un programa para reparar bicicletas viejas", "restauró las vidrieras del ayuntamiento",
            "pidió a los vecinos que ahorren agua en las semanas secas", "firmó un acuerdo con dos municipios vecinos",
            "duplicó el número de salas de lectura", "recogió más de dos toneladas de basura en la orilla del río",
            "probó un nuevo método para separar plásticos", "canceló la fiesta de otoño por motivos de seguridad",
            "invitó a los alumnos a diseñar el nuevo parque infantil",
            "midió el ruido a lo largo de la carretera principal",
        ],
        "time": [
            "el lunes", "la semana pasada", "a principios de este mes", "tras meses de debate",
            "el jueves por la tarde", "durante las vacaciones de verano", "a finales de año",
            "por primera vez desde 2019", "el viernes a última hora", "esta mañana",
            "el martes por la tarde", "durante el fin de semana", "a comienzos de la primavera",
            "hace dos días", "poco antes de las fiestas", "tras una larga noche de negociaciones",
        ],
        "place": [
            "en el casco antiguo", "cerca de la estación central", "a lo largo del río", "en los barrios del norte",
            "en el puerto", "en las afueras de la ciudad", "en tres pueblos cercanos", "en el campus principal",
            "en toda la región", "en la plaza del mercado",
            "en los barrios del sur", "junto al nuevo estadio", "detrás de la catedral",
            "en el polígono industrial", "en la colina de la universidad", "cerca del aeropuerto",
            "en el valle del oeste", "fuera de las murallas",
        ],
        "reason": [
            "porque el sistema anterior se había vuelto demasiado caro", "después de muchas quejas de los vecinos",
            "aunque varios miembros votaron en contra", "ya que la demanda no deja de crecer",
            "para que las familias puedan organizarse", "mientras el coste final sigue sin estar claro",
            "porque el contrato actual vence en marzo", "a pesar del mal tiempo",
            "lo que sorprendió a muchos observadores", "ante la llegada de la temporada de verano",
        ],
        "comment": [
            "Según las últimas cifras, participaron unas {num} personas, un {pct} % más que el año pasado.",
            "{name}, que sigue el proyecto desde el principio, considera que los resultados superan las expectativas.",
            "Los críticos sostienen que ese dinero estaría mejor invertido en escuelas y vivienda.",
            "La próxima reunión está prevista para la primavera y será abierta al público.",
            "Varios comerciantes se mostraron preocupados por las obras frente a sus tiendas.",
            "Los responsables subrayaron que los cambios se revisarán dentro de {num} días.",
            "No todos están convencidos: una petición contra el plan ya ha reunido {num} firmas.",
            "El coste total se estima en {num} euros, financiados en gran parte por un fondo regional.",
            "Por ahora, las normas anteriores siguen vigentes hasta final de mes.",
            "Los expertos recuerdan que proyectos parecidos en otras ciudades tardaron años en dar resultados.",
            "Hay más información disponible en la oficina de atención del ayuntamiento.",
            "Es la tercera vez en una década que el asunto vuelve a debatirse.",
            "Muchos vecinos celebraron la decisión, mientras que otros piden más detalles.",
            "Se espera un informe final antes del verano, según una portavoz.",
        ],
        "quote": [
            "«Llevábamos mucho tiempo esperando este momento», dijo {name}.",
            "«Esto es solo el primer paso», explicó {name} durante la presentación.",
            "«A nadie le gusta pagar más, pero las cifras hablan por sí solas», afirmó {name}.",
            "«La respuesta del barrio ha sido muy positiva hasta ahora», contó {name} a los periodistas.",
            "«Escucharemos con atención antes de decidir nada más», prometió {name}.",
        ],
        "name": [
            "Lucía Fernández", "Javier Morales", "Carmen Ruiz", "Diego Navarro", "Isabel Romero", "Pablo Ortega",
            "Marta Castillo", "Andrés Vidal",
        ],
        "connector": ["Mientras tanto,", "Al mismo tiempo,", "En otra decisión,", "Antes,", "Además,"],
        "subhead": [
            "Qué pasará ahora", "Reacciones en el barrio", "Las cifras detrás de la decisión", "Un largo debate",
            "Costes y financiación", "Próximos pasos",
        ],
        "update": ["Actualización: este artículo fue corregido después de su publicación."],
    },
    "ja": {
        "subject": [
            "市役所", "地域の交通局", "大学の小さな研究チーム", "地元のサッカークラブ", "地方の気象台",
            "市立歴史博物館",
            "ボランティアの園芸グループ", "保健所", "地域で最も大きな病院", "若いソフトウェア会社", "市立図書館",
            "農業協同組合", "教育委員会", "港湾管理事務所", "旧市街のパン屋", "環境事務所",
            "消防本部", "観光案内所", "東地区の町内会", "商工会議所", "ユースオーケストラ", "水道局",
        ],
        "action": [
            "来年度の新しい予算案を承認した", "路面電車の路線を延長する計画を発表した",
            "大気の質に関する詳しい報告書を公表した", "古い市場の近くに二号店を開いた",
            "無料の夜のコンサートを連続で開くと発表した", "電動の配達用自転車の試験運用を始めた",
            "新しい駐車規則についての採決を延期した", "四十年ぶりの暖かい春を記録した",
            "夜勤の看護師を十二人増やした", "月間定期券の料金を引き上げた", "古い自転車を修理する取り組みを始めた",
            "市庁舎のステンドグラスを修復した", "乾燥した時期の節水を住民に呼びかけた", "近隣の二つの町と協定を結んだ",
            "閲覧室の数を二倍に増やした", "川岸から二トン以上のごみを回収した",
            "プラスチックごみを分別する新しい方法を試した", "安全上の理由から秋祭りを中止した",
            "新しい公園の設計に生徒を招いた", "大通り沿いの騒音を測定した",
            "地元の食材を使った料理教室を開いた", "古い倉庫を若者向けの交流拠点に改装した",
            "通学路に新しい信号機を設置した", "高齢者向けの無料送迎バスを走らせ始めた",
            "市内の桜の木の健康状態を調査した", "災害に備えた避難訓練を実施した",
        ],
        "time": [
            "月曜日", "先週", "今月初め", "数か月にわたる議論の末", "木曜日の夜", "夏休みの間", "年末",
            "二〇一九年以来初めて", "金曜日の遅く", "けさ",
            "火曜日の午後", "週末", "春先", "二日前", "連休の直前", "夜通しの協議の後",
        ],
        "place": [
            "旧市街", "中央駅の近く", "川沿い", "北部の地区", "港", "市の郊外", "近くの三つの村",
            "大学の本部キャンパス",
            "地域全体", "市場の広場",
            "南部の郊外", "新しい競技場の隣", "大聖堂の裏手", "工業団地", "大学のある丘", "空港の近く",
            "西の谷", "城壁の外",
        ],
        "reason": [
            "古い仕組みの費用が高くなりすぎたため", "多くの住民から苦情が寄せられたことを受けて",
            "一部の委員は反対したものの", "需要が着実に伸びていることから", "家族が予定を立てやすくするために",
            "最終的な費用はまだ分からないが", "現在の契約が三月に切れるため", "天候には恵まれなかったものの",
            "多くの関係者が驚いたことに", "夏の観光シーズンを前に",
            "利用者の声に応えるかたちで", "昨年の反省を踏まえて", "国の補助金が決まったことを受けて",
            "地元の学生の提案をきっかけに",
        ],
        "comment": [
            "最新の集計によると、約{num}人が参加し、昨年より{pct}パーセント増えた。",
            "計画を最初から見てきた{name}さんは、結果は予想以上だったと話している。",
            "その資金は学校や住宅に使うべきだという批判の声もある。",
            "次回の会合は春に予定されており、一般の人も参加できる。",
            "工事が店の前で続くことを心配する商店主も少なくない。",
            "担当者は、変更点を{num}日後に見直すと強調した。",
            "全員が納得しているわけではなく、計画に反対する署名はすでに{num}筆集まっている。",
            "総費用は約{num}万円と見込まれ、その多くは県の基金でまかなわれる。",
            "当面は、月末まで従来の規則がそのまま適用される。",
            "専門家は、ほかの都市でも同じような取り組みが成果を出すまで何年もかかったと指摘する。",
            "詳しい情報は市役所の案内窓口で確認できる。",
            "この問題が議論されるのは、この十年で三度目となる。",
            "多くの住民が決定を歓迎する一方で、さらに詳しい説明を求める声もある。",
            "広報担当者によると、最終報告は夏前にまとまる見通しだ。",
            "地元の商店街からは、客足が戻るきっかけになるとの期待の声が上がっている。",
            "ただし、財源の確保については来年度以降の課題として残されている。",
            "説明会には平日の夜にもかかわらず{num}人以上が集まった。",
            "同様の試みは隣の県でも始まっており、情報交換が進められている。",
            "関係者の間では、対象をさらに広げるべきだとの意見も出ている。",
            "市の担当課には、これまでに{num}件を超える問い合わせが寄せられた。",
            "{name}さんによると、準備には予想以上の時間がかかったという。",
            "結果は来月の定例会で報告される予定だ。",
        ],
        "quote": [
            "「この日をずっと待っていました」と{name}さんは語った。",
            "「これはまだ最初の一歩にすぎません」と{name}さんは説明会で述べた。",
            "「誰も多く払いたくはありませんが、数字ははっきりしています」と財政委員の{name}さんは話した。",
            "「地域の皆さんの反応はこれまでとても好意的です」と{name}さんは記者団に語った。",
            "「次の判断の前に、皆さんの意見をよく聞きます」と{name}さんは約束した。",
            "「子どもたちが安心して過ごせる場所にしたい」と{name}さんは話した。",
            "「課題はまだ多いですが、一歩ずつ進めます」と{name}さんは述べた。",
            "「多くの方に協力していただき感謝しています」と{name}さんは笑顔を見せた。",
        ],
        "name": ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村"],
        "connector": ["一方、", "同じころ、", "別の決定として、", "これに先立ち、", "さらに、"],
        "subhead": ["今後の見通し", "地域の反応", "決定の背景にある数字", "長い議論", "費用と財源", "これから"],
        "update": ["追記：この記事は公開後に一部の数字を訂正しました。"],
    },
}

# Sentence patterns over the slots; {Subject} is the subject with a capital first letter.
PATTERNS: dict[str, list[str]] = {
    "en": [
        "{Time}, {subject} {action} {place}.", "{Subject} {action} {time}, {reason}.",
        "{Subject} {action} {place} {time}.", "{Place}, {subject} {action}, {reason}.",
        "{connector} {subject} {action} {place}.",
    ],
    "de": [
        "{Time} {aux} {subject} {place} {rest}.", "{Subject} {aux} {time} {rest}, {reason}.",
        "{Subject} {aux} {place} {time} {rest}.", "{Place} {aux} {subject} {rest}, {reason}.",
        "{connector} {aux} {subject} {place} {rest}.",
    ],
    "fr": [
        "{Time}, {subject} {action} {place}.", "{Subject} {action} {time}, {reason}.",
        "{Subject} {action} {place} {time}.", "{Place}, {subject} {action}, {reason}.",
        "{connector} {subject} {action} {place}.",
    ],
    "es": [
        "{Time}, {subject} {action} {place}.", "{Subject} {action} {time}, {reason}.",
        "{Subject} {action} {place} {time}.", "{Place}, {subject} {action}, {reason}.",
        "{connector} {subject} {action} {place}.",
    ],
    "ja": [
        "{time}、{subject}は{place}で{action}。", "{subject}は{time}、{action}。", "{reason}、{subject}は{action}。",
        "{place}では{time}、{subject}が{action}。", "{connector}{subject}は{place}で{action}。",
    ],
}

# PII sentences: each names the kinds it plants, in slot order.
PII_SENTENCES: dict[str, list[str]] = {
    "en": [
        "Readers with questions can write to {email} or call {phone_us}.",
        "The organisers can be reached at {phone_intl} during office hours.",
        "Donations can be sent to the association's account {iban}.",
        "A reader reported that the payment page showed the card number {credit_card} in plain text.",
        "The leaked configuration file contained the key {aws_access_key} and the token {github_token}.",
        "During the trial the test server was reachable at {ipv4} and at {ipv6}.",
    ],
    "de": [
        "Fragen beantwortet das Team unter {email} oder telefonisch unter {phone_intl}.",
        "Spenden gehen an das Vereinskonto {iban}.",
        "Ein Leser meldete, dass die Zahlungsseite die Kartennummer {credit_card} offen anzeigte.",
        "In der Konfigurationsdatei standen der Schlüssel {aws_access_key} und das Token {github_token}.",
        "Der Testserver war während des Versuchs unter {ipv4} und {ipv6} erreichbar.",
        "Die Hotline für Anrufe aus den USA lautet {phone_us}.",
    ],
    "fr": [
        "Les lecteurs peuvent écrire à {email} ou appeler le {phone_intl}.",
        "Les dons peuvent être versés sur le compte {iban}.",
        "Un lecteur a signalé que la page de paiement affichait le numéro de carte {credit_card} en clair.",
        "Le fichier de configuration publié contenait la clé {aws_access_key} et le jeton {github_token}.",
        "Pendant l'essai, le serveur de test était joignable à l'adresse {ipv4} et à l'adresse {ipv6}.",
        "Depuis les États-Unis, il faut composer le {phone_us}.",
    ],
    "es": [
        "Los lectores pueden escribir a {email} o llamar al {phone_intl}.",
        "Las donaciones pueden enviarse a la cuenta {iban}.",
        "Un lector avisó de que la página de pago mostraba el número de tarjeta {credit_card} sin cifrar.",
        "El archivo de configuración publicado contenía la clave {aws_access_key} y el token {github_token}.",
        "Durante la prueba, el servidor era accesible en {ipv4} y en {ipv6}.",
        "Desde Estados Unidos, el número de atención es el {phone_us}.",
    ],
    "ja": [
        "問い合わせはメール {email} または電話 {phone_intl} で受け付けている。",
        "寄付は口座 {iban} で受け付けている。",
        "支払い画面にカード番号 {credit_card} がそのまま表示されていたと読者から連絡があった。",
        "公開された設定ファイルには、キー {aws_access_key} とトークン {github_token} が書かれていた。",
        "試験期間中、テスト用サーバーには {ipv4} と {ipv6} で接続できた。",
        "米国からの問い合わせ番号は {phone_us} だ。",
    ],
}

# Hard negatives: look like PII to a careless regex, but are not personal data.
NEGATIVE_SENTENCES: dict[str, list[str]] = {
    "en": [
        "The app was updated to version {version} on {date}.",
        "The accompanying book has the ISBN {isbn} and costs {price}.",
        "Each request carries the identifier {uuid}, and the fix landed in commit {git_sha}.",
    ],
    "de": [
        "Die App wurde am {date} auf Version {version} aktualisiert.",
        "Das Begleitbuch hat die ISBN {isbn} und kostet {price}.",
        "Jede Anfrage trägt die Kennung {uuid}, die Korrektur steckt in Commit {git_sha}.",
    ],
    "fr": [
        "L'application est passée à la version {version} le {date}.",
        "Le livre qui l'accompagne porte l'ISBN {isbn} et coûte {price}.",
        "Chaque requête porte l'identifiant {uuid}, et la correction se trouve dans le commit {git_sha}.",
    ],
    "es": [
        "La aplicación se actualizó a la versión {version} el {date}.",
        "El libro que la acompaña tiene el ISBN {isbn} y cuesta {price}.",
        "Cada solicitud lleva el identificador {uuid}, y la corrección está en el commit {git_sha}.",
    ],
    "ja": [
        "アプリは{date}にバージョン {version} へ更新された。",
        "関連書籍のISBNは {isbn} で、価格は{price}だ。",
        "各リクエストには識別子 {uuid} が付き、修正はコミット {git_sha} に含まれている。",
    ],
}

THOUSANDS = {"en": ",", "de": ".", "fr": "\u202f", "es": ".", "ja": ","}


@dataclass
class Article:
    """One main article: what a perfect extractor returns (title, then blocks), plus what was planted."""

    lang: str
    title: str
    author: str
    published: date
    blocks: list[tuple[str, str]]  # ("h2" | "p" | "pii", text); "pii" blocks render as <p>
    pii: list[tuple[str, str]] = field(default_factory=list)  # (kind, value as written)
    negatives: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join([self.title] + [t for _, t in self.blocks])


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _number(rng: random.Random, lang: str, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi):,}".replace(",", THOUSANDS[lang])


class Deck:
    """One article's supply of templates and slot phrases, each drawn at most once per article.

    Gopher's repetition rules (filter_quality.py) drop a page once repeated word 5-grams cover ~15% of it,
    and a slot phrase or comment used twice in one article gets there quickly. `left()` lets the caller
    pick a sentence kind whose phrases are not used up; `draw()` starts a list over only when the caller
    asks for more than it holds (names, which may repeat, or a sentence past every template).
    """

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng, self.lang = rng, lang
        self.unused = {key: rng.sample(values, len(values)) for key, values in WORDS[lang].items()}

    def left(self, key: str) -> int:
        return len(self.unused[key])

    def draw(self, key: str) -> str:
        if not self.unused[key]:
            self.unused[key] = self.rng.sample(WORDS[self.lang][key], len(WORDS[self.lang][key]))
        return self.unused[key].pop()


def _fill(rng: random.Random, lang: str, template: str, deck: Deck) -> str:
    return template.format(name=deck.draw("name"), num=_number(rng, lang, 12, 48000), pct=rng.randint(3, 60))


def _slots_of(pattern: str) -> list[str]:
    """The word lists a sentence pattern draws from ({Time} → time, {aux}/{rest} → action), in a fixed order."""
    fields = {f.lower() for _, f, _, _ in string.Formatter().parse(pattern) if f}
    return sorted({"action" if f in ("aux", "rest") else f for f in fields})


def _slot_sentence(rng: random.Random, lang: str, deck: Deck) -> str | None:
    """A subject-action sentence from phrases not yet used in this article; None when they have run out."""
    fits = [p for p in PATTERNS[lang] if all(deck.left(slot) for slot in _slots_of(p))]
    if not fits:
        return None
    pattern = rng.choice(fits)
    aux, rest = "", ""
    slots = {slot: deck.draw(slot) for slot in _slots_of(pattern)}
    if "action" in slots:
        aux, _, rest = slots["action"].rpartition("|")
        slots["action"] = rest if not aux else f"{aux} {rest}"
    slots.update(aux=aux, rest=rest)
    slots.update({k.capitalize(): cap(v) for k, v in list(slots.items())})
    return pattern.format(**slots)


def sentence(rng: random.Random, lang: str, deck: Deck | None = None) -> str:
    """One prose sentence: mostly slot patterns, sometimes a comment or a quote, none repeating within `deck`."""
    deck = deck if deck is not None else Deck(rng, lang)
    roll = rng.random()
    order = ("comment", "slots", "quote") if roll < 0.18 else (
        ("quote", "slots", "comment") if roll < 0.26 else ("slots", "comment", "quote"))
    for kind in order:
        if kind == "slots":
            text = _slot_sentence(rng, lang, deck)
            if text is not None:
                return text
        elif deck.left(kind):
            return _fill(rng, lang, deck.draw(kind), deck)
    return _fill(rng, lang, deck.draw("comment"), deck)  # longer than any demo article: templates start over


def _join(lang: str, sentences: list[str]) -> str:
    return ("" if lang == "ja" else " ").join(sentences)


def make_article(rng: random.Random, lang: str, pii: bool = False, negatives: bool = False) -> Article:
    """A news-style article of 4-6 paragraphs, optionally with a PII paragraph and/or a hard-negative one."""
    w = WORDS[lang]
    deck = Deck(rng, lang)
    aux, _, rest = deck.draw("action").rpartition("|")
    subject = deck.draw("subject")
    title = f"{subject}、{rest}" if lang == "ja" else cap(f"{subject} {aux} {rest}".replace("  ", " "))
    blocks: list[tuple[str, str]] = []
    n_par = rng.randint(4, 6)
    subhead_at = {rng.randint(2, n_par - 1)} if n_par > 3 else set()
    heads = rng.sample(w["subhead"], 2)
    for i in range(n_par):
        if i in subhead_at:
            blocks.append(("h2", heads.pop()))
        blocks.append(("p", _join(lang, [sentence(rng, lang, deck) for _ in range(rng.randint(3, 5))])))
    art = Article(lang, title, rng.choice(w["name"]), date(2023, 1, 1) + timedelta(days=rng.randrange(700)), blocks)
    if pii:
        templates = rng.sample(PII_SENTENCES[lang], 2)
        art.blocks.insert(rng.randint(1, len(art.blocks) - 1), ("pii", _join(lang, [
            _plant(rng, lang, t, art.pii) for t in templates])))
    if negatives:
        t = rng.choice(NEGATIVE_SENTENCES[lang])
        art.blocks.insert(rng.randint(1, len(art.blocks)), ("pii", _plant(rng, lang, t, art.negatives)))
    return art


def _plant(rng: random.Random, lang: str, template: str, out: list[tuple[str, str]]) -> str:
    """Fill the {kind} slots of a PII/negative template with fresh values, recording (kind, value)."""
    values = {}
    for kind in [f for _, f, _, _ in string.Formatter().parse(template) if f]:
        values[kind] = GENERATORS[kind](rng, lang)
        out.append((kind, values[kind]))
    return template.format(**values)


def near_duplicate(rng: random.Random, art: Article) -> Article:
    """A lightly edited copy: one sentence dropped, two words swapped, an update note appended.

    Edits avoid PII blocks so the planted values stay exactly as recorded.
    """
    blocks = list(art.blocks)
    prose = [i for i, (k, _) in enumerate(blocks) if k == "p"]
    sep = "" if art.lang == "ja" else " "
    end = "。" if art.lang == "ja" else ". "
    i = rng.choice(prose)
    parts = [p for p in blocks[i][1].split(end) if p]
    if len(parts) > 2:
        del parts[rng.randrange(1, len(parts))]
        text = end.join(parts)
        blocks[i] = ("p", text if text.endswith(end.strip()) else text + end.strip())
    if art.lang != "ja":
        j = rng.choice(prose)
        words = blocks[j][1].split(" ")
        k = rng.randrange(1, len(words) - 2)
        words[k], words[k + 1] = words[k + 1], words[k]
        blocks[j] = ("p", " ".join(words))
    blocks.append(("p", sep.join(WORDS[art.lang]["update"])))
    return replace(art, blocks=blocks, pii=list(art.pii), negatives=list(art.negatives))


# ---- PII values (valid checksums where the format has one) -------------------------------------------------

def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return next(body + c for c in string.digits if luhn_ok(body + c))


def credit_card(rng: random.Random, lang: str) -> str:
    prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("37", 15), ("6011", 16)])
    num = _luhn_complete(prefix, length, rng)
    groups = [num[:4], num[4:10], num[10:]] if length == 15 else [num[i:i + 4] for i in range(0, 16, 4)]
    return rng.choice([" ", "-", ""]).join(groups)


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def iban(rng: random.Random, lang: str) -> str:
    country, bban = {
        "de": ("DE", "".join(rng.choice(string.digits) for _ in range(18))),
        "fr": ("FR", "".join(rng.choice(string.digits) for _ in range(23))),
        "es": ("ES", "".join(rng.choice(string.digits) for _ in range(20))),
    }.get(lang, ("GB", "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
                 + "".join(rng.choice(string.digits) for _ in range(14))))
    rearranged = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in rearranged)) % 97
    raw = f"{country}{check:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.6 else raw


def email(rng: random.Random, lang: str) -> str:
    first, last = _ascii(rng.choice(WORDS["en" if lang == "ja" else lang]["name"])).lower().split()
    domain = {"en": "riverside-mail.com", "de": "kontakt-web.de", "fr": "boite-postale.fr", "es": "correo-sur.es",
              "ja": "mailbox.co.jp"}[lang]
    return f"{first}.{last}{rng.randint(1, 99)}@{domain}"


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def phone_us(rng: random.Random, lang: str) -> str:
    area, line = rng.choice([212, 415, 312, 617, 503, 206]), rng.randint(100, 9999)
    return rng.choice(["({a}) 555-{n:04d}", "{a}-555-{n:04d}", "+1 {a} 555 {n:04d}"]).format(a=area, n=line)


def phone_intl(rng: random.Random, lang: str) -> str:
    d = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    return {
        "en": f"+44 20 7946 {d(4)}", "de": f"+49 30 {d(4)} {d(4)}", "fr": f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
        "es": f"+34 91 {d(3)} {d(2)} {d(2)}", "ja": f"+81 3-{d(4)}-{d(4)}",
    }[lang]


def ipv4(rng: random.Random, lang: str) -> str:
    first = rng.choice([10, 172, 192, 198, 203, 81, 145])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random, lang: str) -> str:
    g = [f"{rng.randrange(1, 0x10000):x}" for _ in range(5)]
    return rng.choice([f"2a02:8108:{g[0]}:{g[1]}::{g[2]}", f"2a02:8108:{g[0]}:{g[1]}:{g[2]}:{g[3]}:{g[4]}:1",
                       f"fe80::{g[0]}:{g[1]}:{g[2]}"])


def aws_access_key(rng: random.Random, lang: str) -> str:
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def github_token(rng: random.Random, lang: str) -> str:
    return "ghp_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))


def version(rng: random.Random, lang: str) -> str:
    return rng.choice(["", "v"]) + f"{rng.randint(1, 14)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}"


def date_text(rng: random.Random, lang: str) -> str:
    d = date(2022, 1, 1) + timedelta(days=rng.randrange(1000))
    return {"en": d.isoformat(), "de": d.strftime("%d.%m.%Y"), "fr": d.strftime("%d/%m/%Y"),
            "es": d.strftime("%d/%m/%Y"), "ja": f"{d.year}年{d.month}月{d.day}日"}[lang]


def isbn_ok(isbn13: str) -> bool:
    digits = isbn13.replace("-", "")
    return len(digits) == 13 and sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits)) % 10 == 0


def isbn(rng: random.Random, lang: str) -> str:
    """A valid ISBN-13 that is NOT Luhn-valid, so a card-number detector has no excuse to flag it."""
    while True:
        body = "978" + "".join(rng.choice(string.digits) for _ in range(9))
        check = (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
        digits = body + str(check)
        if not luhn_ok(digits):
            return f"{digits[:3]}-{digits[3]}-{digits[4:8]}-{digits[8:12]}-{digits[12]}"


def uuid_text(rng: random.Random, lang: str) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def git_sha(rng: random.Random, lang: str) -> str:
    return f"{rng.getrandbits(160):040x}"


def price(rng: random.Random, lang: str) -> str:
    whole, cents = rng.randint(5, 2400), rng.randint(0, 99)
    return {"en": f"${whole:,}.{cents:02d}", "de": f"{whole},{cents:02d} €", "fr": f"{whole},{cents:02d} €",
            "es": f"{whole},{cents:02d} €", "ja": f"{whole * 100:,}円"}[lang]


GENERATORS = {
    "email": email, "phone_us": phone_us, "phone_intl": phone_intl, "ipv4": ipv4, "ipv6": ipv6,
    "credit_card": credit_card, "iban": iban, "aws_access_key": aws_access_key, "github_token": github_token,
    "version": version, "date": date_text, "isbn": isbn, "uuid": uuid_text, "git_sha": git_sha, "price": price,
}
PII_KINDS = ("email", "phone_us", "phone_intl", "ipv4", "ipv6", "credit_card", "iban", "aws_access_key", "github_token")
NEGATIVE_KINDS = ("version", "date", "isbn", "uuid", "git_sha", "price")
