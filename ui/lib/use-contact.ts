import { useEffect, useRef, useState } from 'preact/hooks';
import {
  addTags,
  changeAppointment,
  createNote,
  createTask,
  deleteNote,
  deleteTask,
  errorText,
  getTimeline,
  removeTags,
  setTaskCompleted,
  updateContact,
  updateNote,
  updateTask,
} from '../api.ts';
import { useToast } from '../components/toasts.tsx';
import { ActionKeys } from './action-keys.ts';
import {
  appointmentItem,
  freshnessAt,
  isCompleted,
  noteItem,
  sortItems,
  taskItem,
  withCompleted,
} from './timeline.ts';
import type { Contact, ContactPatch, NoteInput, TaskInput, TimelineItem } from './types.ts';

const keyOf = (i: TimelineItem) => `${i.kind}:${i.id}`;

export interface ContactState {
  status: 'loading' | 'ready' | 'error';
  error: string;
  contact: Contact | null;
  items: TimelineItem[];
  freshAt: number;
  refreshing: boolean;
  reload: () => void;
  addTag: (tag: string) => void;
  removeTag: (tag: string) => void;
  saveContact: (patch: ContactPatch) => Promise<void>;
  addNote: (note: NoteInput) => Promise<void>;
  editNote: (item: TimelineItem, note: NoteInput) => Promise<void>;
  addTask: (task: TaskInput) => Promise<void>;
  editTask: (item: TimelineItem, task: TaskInput) => Promise<void>;
  toggleTask: (item: TimelineItem) => void;
  remove: (item: TimelineItem) => void;
  /** Shows an appointment the booking form just booked or moved. */
  showAppointment: (appointment: Record<string, unknown>, moved: boolean) => void;
  cancelAppointment: (item: TimelineItem) => Promise<void>;
}

/**
 * One contact's header data and timeline, with every action on them. Toggles, tags and deletes
 * are optimistic and undone one by one on failure (not by snapshot, so concurrent edits survive);
 * creates and edits wait for the server, whose answer carries the ids and GHL's normalised fields.
 */
export function useContact(contactId: string, userId?: string): ContactState {
  const toast = useToast();
  const [status, setStatus] = useState<ContactState['status']>('loading');
  const [error, setError] = useState('');
  const [contact, setContact] = useState<Contact | null>(null);
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [freshAt, setFreshAt] = useState(0);
  const [refreshing, setRefreshing] = useState(false);
  const alive = useRef(true);
  // A failed create keeps its key, so saving it again cannot make it twice.
  const noteKeys = useRef(new ActionKeys());
  const taskKeys = useRef(new ActionKeys());
  useEffect(() => () => void (alive.current = false), []);

  const load = async (silent: boolean) => {
    if (silent) setRefreshing(true);
    else setStatus('loading');
    try {
      const t = await getTimeline(contactId, silent);
      if (!alive.current) return;
      setItems(t.items);
      setContact(t.contact);
      setFreshAt(freshnessAt(t.freshness) ?? Date.now());
      setStatus('ready');
    } catch (err) {
      if (!alive.current) return;
      if (silent) toast(`Could not refresh: ${errorText(err)}`, 'error');
      else {
        setError(errorText(err));
        setStatus('error');
      }
    } finally {
      if (alive.current) setRefreshing(false);
    }
  };

  useEffect(() => {
    void load(false);
  }, [contactId]);

  const patchItem = (key: string, fn: (i: TimelineItem) => TimelineItem) =>
    setItems((all) => all.map((i) => (keyOf(i) === key ? fn(i) : i)));

  const setTags = (fn: (tags: string[]) => string[]) =>
    setContact((c) => (c ? { ...c, tags: fn(c.tags ?? []) } : c));

  const addTag = (raw: string) => {
    const tag = raw.trim();
    if (!tag || contact?.tags?.some((t) => t.toLowerCase() === tag.toLowerCase())) return;
    setTags((tags) => [...tags, tag]);
    addTags(contactId, [tag]).then(
      (res) => {
        setTags(() => res.tags);
        toast(`Tag “${tag}” added`);
      },
      (err) => {
        setTags((tags) => tags.filter((t) => t !== tag));
        toast(`Could not add tag: ${errorText(err)}`, 'error');
      },
    );
  };

  const removeTag = (tag: string) => {
    setTags((tags) => tags.filter((t) => t !== tag));
    removeTags(contactId, [tag]).then(
      () => toast(`Tag “${tag}” removed`),
      (err) => {
        setTags((tags) => (tags.includes(tag) ? tags : [...tags, tag]));
        toast(`Could not remove tag: ${errorText(err)}`, 'error');
      },
    );
  };

  const saveContact = async (patch: ContactPatch) => {
    const updated = await updateContact(contactId, patch);
    setContact((c) => ({ ...c, ...patch, ...updated, id: contactId }));
    toast('Contact saved');
  };

  const addNote = async (note: NoteInput) => {
    const created = await noteKeys.current.run([contactId, note], (key) => createNote(contactId, note, key));
    setItems((all) => sortItems([noteItem({ ...note, ...created }), ...all]));
    toast('Note added');
  };

  const editNote = async (item: TimelineItem, note: NoteInput) => {
    const saved = await updateNote(contactId, item.id, note);
    patchItem(keyOf(item), (prev) => noteItem({ ...note, ...saved, id: prev.id }, prev));
    toast('Note saved');
  };

  const addTask = async (task: TaskInput) => {
    const created = await taskKeys.current.run([contactId, task], (key) => createTask(contactId, task, key));
    setItems((all) => sortItems([{ ...taskItem({ ...task, ...created }), createdBy: userId }, ...all]));
    toast('Task created');
  };

  const editTask = async (item: TimelineItem, task: TaskInput) => {
    const saved = await updateTask(contactId, item.id, task);
    patchItem(keyOf(item), (prev) => taskItem({ ...task, ...saved, id: prev.id }, prev));
    toast('Task saved');
  };

  const toggleTask = (item: TimelineItem) => {
    const next = !isCompleted(item);
    const key = keyOf(item);
    patchItem(key, (i) => withCompleted(i, next));
    setTaskCompleted(contactId, item.id, next).then(
      () => toast(next ? 'Task completed' : 'Task reopened'),
      (err) => {
        patchItem(key, (i) => withCompleted(i, !next));
        toast(`Could not update the task: ${errorText(err)}`, 'error');
      },
    );
  };

  const remove = (item: TimelineItem) => {
    const key = keyOf(item);
    setItems((all) => all.filter((i) => keyOf(i) !== key));
    const call = item.kind === 'note' ? deleteNote(contactId, item.id) : deleteTask(contactId, item.id);
    call.then(
      () => toast(item.kind === 'note' ? 'Note deleted' : 'Task deleted'),
      (err) => {
        setItems((all) => (all.some((i) => keyOf(i) === key) ? all : sortItems([item, ...all])));
        toast(`Could not delete: ${errorText(err)}`, 'error');
      },
    );
  };

  const showAppointment = (appointment: Record<string, unknown>, moved: boolean) => {
    const key = `appointment:${String(appointment.id)}`;
    setItems((all) => {
      const prev = all.find((i) => keyOf(i) === key);
      const rest = all.filter((i) => keyOf(i) !== key);
      const item = appointmentItem(appointment, prev);
      return sortItems([moved || !userId ? item : { ...item, createdBy: userId }, ...rest]);
    });
    toast(moved ? 'Appointment moved' : 'Appointment booked');
  };

  const cancelAppointment = async (item: TimelineItem) => {
    try {
      const saved = await changeAppointment(contactId, item.id, { appointmentStatus: 'cancelled' });
      patchItem(keyOf(item), (prev) => appointmentItem({ ...saved, appointmentStatus: 'cancelled' }, prev));
      toast('Appointment cancelled');
    } catch (err) {
      toast(`The appointment was not cancelled: ${errorText(err)}`, 'error');
    }
  };

  return {
    status,
    error,
    contact,
    items,
    freshAt,
    refreshing,
    reload: () => void load(status === 'ready'),
    addTag,
    removeTag,
    saveContact,
    addNote,
    editNote,
    addTask,
    editTask,
    toggleTask,
    remove,
    showAppointment,
    cancelAppointment,
  };
}
