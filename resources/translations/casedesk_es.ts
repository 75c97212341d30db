<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="99"/>
        <location filename="../../casedesk/gui/help/windows.py" line="100"/>
        <location filename="../../casedesk/gui/help/windows.py" line="111"/>
        <source>About CaseDesk</source>
        <translation>Acerca de CaseDesk</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="103"/>
        <source>Offline-first case management. Your caseload is encrypted on this computer.</source>
        <translation>Gestión de casos que funciona sin conexión. Sus casos están cifrados en este equipo.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="105"/>
        <source>Licence: GPL-3.0-or-later.</source>
        <translation>Licencia: GPL-3.0 o posterior.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="107"/>
        <source>Profile: {0}</source>
        <translation>Perfil: {0}</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="114"/>
        <source>Bundled libraries and their licences</source>
        <translation>Bibliotecas incluidas y sus licencias</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="117"/>
        <source>Font licence</source>
        <translation>Licencia de las fuentes</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="119"/>
        <source>Libraries</source>
        <translation>Bibliotecas</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="120"/>
        <source>Fonts</source>
        <translation>Fuentes</translation>
    </message>
</context>
<context>
    <name>AboutYouPage</name>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="29"/>
        <source>Welcome to CaseDesk</source>
        <translation>Bienvenido a CaseDesk</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="30"/>
        <source>CaseDesk keeps your caseload encrypted on this computer. First, who is using it?</source>
        <translation>CaseDesk guarda sus casos cifrados en este equipo. Primero, ¿quién lo usa?</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="33"/>
        <source>e.g. Alex Morgan</source>
        <translation>p. ej., Alex Morgan</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="36"/>
        <source>e.g. Riverbend Community Services</source>
        <translation>p. ej., Servicios Comunitarios Riverbend</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="38"/>
        <source>Your &amp;name:</source>
        <translation>Su &amp;nombre:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="39"/>
        <source>&amp;Agency:</source>
        <translation>&amp;Agencia:</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="17"/>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="18"/>
        <source>Connect to an agency server</source>
        <translation>Conectar con un servidor de la agencia</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="23"/>
        <source>Your agency&apos;s administrator gives you the server address and a one-time enrolment code. CaseDesk keeps working offline and synchronises when the server can be reached.</source>
        <translation>El administrador de su agencia le da la dirección del servidor y un código de registro de un solo uso. CaseDesk sigue funcionando sin conexión y se sincroniza cuando puede llegar al servidor.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="29"/>
        <source>Server address</source>
        <translation>Dirección del servidor</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="32"/>
        <source>Enrolment code</source>
        <translation>Código de registro</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="35"/>
        <source>Connection message</source>
        <translation>Mensaje de conexión</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="37"/>
        <source>Server &amp;address:</source>
        <translation>&amp;Dirección del servidor:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="38"/>
        <source>Enrolment &amp;code:</source>
        <translation>&amp;Código de registro:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="40"/>
        <source>&amp;Connect</source>
        <translation>&amp;Conectar</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="53"/>
        <source>Enter both the server address and the enrolment code.</source>
        <translation>Escriba la dirección del servidor y el código de registro.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/enrol_dialog.py" line="57"/>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="139"/>
        <source>CaseDesk — Set up</source>
        <translation>CaseDesk — Configuración</translation>
    </message>
</context>
<context>
    <name>GetStartedPage</name>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="36"/>
        <source>Get started</source>
        <translation>Primeros pasos</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="38"/>
        <source>Your profile is ready. You can bring in your caseload now, or later from the File menu.</source>
        <translation>Su perfil está listo. Puede traer sus casos ahora o más tarde desde el menú Archivo.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="40"/>
        <source>&amp;Import clients from CSV…</source>
        <translation>&amp;Importar clientes desde CSV…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="42"/>
        <source>&amp;Connect to an agency server…</source>
        <translation>&amp;Conectar con un servidor de la agencia…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="44"/>
        <source>Open the &amp;demo</source>
        <translation>Abrir la &amp;demostración</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="46"/>
        <source>Opens a separate demo profile with a made-up caseload (passphrase: demo).</source>
        <translation>Abre un perfil de demostración aparte con casos inventados (frase de contraseña: demo).</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="51"/>
        <source>What was done</source>
        <translation>Lo que se hizo</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="69"/>
        <source>{0} clients imported.</source>
        <translation>{0} clientes importados.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="78"/>
        <source>Connected to {0}.</source>
        <translation>Conectado a {0}.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/page.py" line="84"/>
        <source>The demo opens in a window of its own (passphrase: demo).</source>
        <translation>La demostración se abre en su propia ventana (frase de contraseña: demo).</translation>
    </message>
</context>
<context>
    <name>HelpMenu</name>
    <message>
        <location filename="../../casedesk/gui/help/menu.py" line="54"/>
        <source>Save diagnostic report</source>
        <translation>Guardar informe de diagnóstico</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/menu.py" line="56"/>
        <source>Text files (*.txt)</source>
        <translation>Archivos de texto (*.txt)</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/menu.py" line="91"/>
        <source>The diagnostic report could not be saved: {0}.</source>
        <translation>No se pudo guardar el informe de diagnóstico: {0}.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/menu.py" line="99"/>
        <source>Diagnostic report saved to {0}.</source>
        <translation>Informe de diagnóstico guardado en {0}.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/menu.py" line="104"/>
        <source>&amp;User guide</source>
        <translation>&amp;Guía del usuario</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/menu.py" line="108"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Atajos de teclado</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/menu.py" line="109"/>
        <source>Save &amp;diagnostic report…</source>
        <translation>Guardar informe de &amp;diagnóstico…</translation>
    </message>
</context>
<context>
    <name>HelpWindow</name>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="32"/>
        <location filename="../../casedesk/gui/help/windows.py" line="33"/>
        <source>CaseDesk user guide</source>
        <translation>Guía del usuario de CaseDesk</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="35"/>
        <source>User guide text</source>
        <translation>Texto de la guía del usuario</translation>
    </message>
</context>
<context>
    <name>ImportClientsDialog</name>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="57"/>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="58"/>
        <source>Import clients from CSV</source>
        <translation>Importar clientes desde CSV</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="66"/>
        <source>No file chosen.</source>
        <translation>No se eligió ningún archivo.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="67"/>
        <source>Chosen file</source>
        <translation>Archivo elegido</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="68"/>
        <source>&amp;Choose CSV file…</source>
        <translation>&amp;Elegir archivo CSV…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="76"/>
        <source>Check which client field each column holds: change a guess with the list above the column, or choose “(ignore)”. First and last name are required.</source>
        <translation>Compruebe qué dato del cliente contiene cada columna: cambie una suposición con la lista encima de la columna o elija «(ignorar)». El nombre y el apellido son obligatorios.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="82"/>
        <source>Preview of the first rows</source>
        <translation>Vista previa de las primeras filas</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="85"/>
        <source>Import summary</source>
        <translation>Resumen de la importación</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="87"/>
        <source>Rows with problems</source>
        <translation>Filas con problemas</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="91"/>
        <source>Import message</source>
        <translation>Mensaje de importación</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="94"/>
        <source>&amp;Import</source>
        <translation>&amp;Importar</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="114"/>
        <source>Choose a CSV file</source>
        <translation>Elija un archivo CSV</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="114"/>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>Archivos CSV (*.csv);;Todos los archivos (*)</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="127"/>
        <source>Could not read {0}: {1}.</source>
        <translation>No se pudo leer {0}: {1}.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="148"/>
        <source>(ignore)</source>
        <translation>(ignorar)</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="151"/>
        <source>Client field for column {0}</source>
        <translation>Dato del cliente para la columna {0}</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="161"/>
        <source>Field</source>
        <translation>Dato</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="164"/>
        <source>{0} rows in the file; the first {1} are shown.</source>
        <translation>{0} filas en el archivo; se muestran las primeras {1}.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="177"/>
        <source>More than one column is mapped to: {0}.</source>
        <translation>Más de una columna está asignada a: {0}.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="179"/>
        <source>Map one column to First name and one to Last name.</source>
        <translation>Asigne una columna a Nombre y otra a Apellido.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="193"/>
        <source>Importing…</source>
        <translation>Importando…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="203"/>
        <source>{0} clients imported.</source>
        <translation>{0} clientes importados.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/firstrun/import_dialog.py" line="211"/>
        <source>Nothing was imported. Fix these rows in the file and try again.</source>
        <translation>No se importó nada. Corrija estas filas en el archivo e inténtelo de nuevo.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="110"/>
        <source>CaseDesk</source>
        <translation>CaseDesk</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="127"/>
        <source>Caseload</source>
        <translation>Casos</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="233"/>
        <source>&amp;Find client</source>
        <translation>&amp;Buscar cliente</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="234"/>
        <source>&amp;New note</source>
        <translation>&amp;Nueva nota</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="235"/>
        <source>&amp;Close tab</source>
        <translation>&amp;Cerrar pestaña</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="236"/>
        <source>&amp;Lock now</source>
        <translation>B&amp;loquear ahora</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="237"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Configuración…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="238"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="239"/>
        <source>&amp;About CaseDesk</source>
        <translation>&amp;Acerca de CaseDesk</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="241"/>
        <source>Fill a &amp;form…</source>
        <translation>Rellenar un &amp;formulario…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="244"/>
        <source>Form &amp;editor</source>
        <translation>&amp;Editor de formularios</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="250"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="255"/>
        <source>&amp;Client</source>
        <translation>C&amp;liente</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="260"/>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="264"/>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="462"/>
        <source>Recovered note drafts</source>
        <translation>Borradores de notas recuperados</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/main_window.py" line="657"/>
        <source>The new interface language applies fully after CaseDesk restarts.</source>
        <translation>El nuevo idioma se aplica por completo cuando CaseDesk se reinicia.</translation>
    </message>
</context>
<context>
    <name>NoteEditor</name>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="177"/>
        <source>&amp;Template:</source>
        <translation>&amp;Plantilla:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="178"/>
        <source>Contact &amp;type:</source>
        <translation>&amp;Tipo de contacto:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="179"/>
        <source>&amp;Date:</source>
        <translation>&amp;Fecha:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="180"/>
        <source>St&amp;art:</source>
        <translation>&amp;Inicio:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="181"/>
        <source>D&amp;uration:</source>
        <translation>D&amp;uración:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="182"/>
        <source>Billable u&amp;nits:</source>
        <translation>U&amp;nidades facturables:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="183"/>
        <source>&amp;Location:</source>
        <translation>&amp;Lugar:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="184"/>
        <source>Service &amp;code:</source>
        <translation>&amp;Código de servicio:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="190"/>
        <source>Goals addressed</source>
        <translation>Objetivos tratados</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="201"/>
        <source>This client has no active plan goals.</source>
        <translation>Este cliente no tiene objetivos activos en su plan.</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="208"/>
        <source>Addenda</source>
        <translation>Anexos</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="224"/>
        <source>&amp;Save draft</source>
        <translation>&amp;Guardar borrador</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="228"/>
        <source>Sign and &amp;lock…</source>
        <translation>Firmar y &amp;bloquear…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="231"/>
        <source>Add a&amp;ddendum…</source>
        <translation>Añadir a&amp;nexo…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="234"/>
        <source>Capture si&amp;gnature…</source>
        <translation>Capturar &amp;firma…</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/editor.py" line="411"/>
        <source>No addenda.</source>
        <translation>Sin anexos.</translation>
    </message>
</context>
<context>
    <name>PassphrasePage</name>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="48"/>
        <source>Choose a passphrase</source>
        <translation>Elija una frase de contraseña</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="53"/>
        <source>&amp;Create profile</source>
        <translation>&amp;Crear perfil</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="74"/>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Frase de contraseña:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="75"/>
        <source>Strength:</source>
        <translation>Solidez:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="77"/>
        <source>&amp;Repeat it:</source>
        <translation>&amp;Repítala:</translation>
    </message>
</context>
<context>
    <name>RecoveryPage</name>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="114"/>
        <source>Your recovery key</source>
        <translation>Su clave de recuperación</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/wizard.py" line="126"/>
        <source>I have stored the recovery key somewhere safe</source>
        <translation>He guardado la clave de recuperación en un lugar seguro</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="62"/>
        <location filename="../../casedesk/gui/help/windows.py" line="63"/>
        <location filename="../../casedesk/gui/help/windows.py" line="67"/>
        <source>Keyboard shortcuts</source>
        <translation>Atajos de teclado</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="65"/>
        <source>Save the note draft</source>
        <translation>Guardar el borrador de la nota</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="68"/>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/help/windows.py" line="68"/>
        <source>Keys</source>
        <translation>Teclas</translation>
    </message>
</context>
<context>
    <name>SpellingMenu</name>
    <message>
        <location filename="../../casedesk/gui/notes/spelling.py" line="195"/>
        <source>No suggestions</source>
        <translation>Sin sugerencias</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/notes/spelling.py" line="198"/>
        <source>Add “%1” to my dictionary</source>
        <translation>Añadir «%1» a mi diccionario</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../casedesk/gui/unlock/dialog.py" line="19"/>
        <source>CaseDesk — Unlock</source>
        <translation>CaseDesk — Desbloquear</translation>
    </message>
</context>
<context>
    <name>UnlockForm</name>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="96"/>
        <source>Your passphrase</source>
        <translation>Su frase de contraseña</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="99"/>
        <source>Remember on this computer</source>
        <translation>Recordar en este equipo</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="106"/>
        <source>ABCD-EFGH-...</source>
        <translation>ABCD-EFGH-...</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="117"/>
        <source>&amp;Recovery key:</source>
        <translation>Clave de &amp;recuperación:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="118"/>
        <source>&amp;New passphrase:</source>
        <translation>&amp;Nueva frase de contraseña:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="119"/>
        <source>Re&amp;peat it:</source>
        <translation>Re&amp;pítala:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="125"/>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Frase de contraseña:</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="135"/>
        <location filename="../../casedesk/gui/unlock/form.py" line="198"/>
        <location filename="../../casedesk/gui/unlock/form.py" line="277"/>
        <source>&amp;Unlock</source>
        <translation>&amp;Desbloquear</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="139"/>
        <source>Use the recovery &amp;key instead</source>
        <translation>Usar la &amp;clave de recuperación</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="198"/>
        <location filename="../../casedesk/gui/unlock/form.py" line="277"/>
        <source>&amp;Unlock and set passphrase</source>
        <translation>&amp;Desbloquear y fijar la frase de contraseña</translation>
    </message>
    <message>
        <location filename="../../casedesk/gui/unlock/form.py" line="286"/>
        <source>Unlocking…</source>
        <translation>Desbloqueando…</translation>
    </message>
</context>
</TS>
